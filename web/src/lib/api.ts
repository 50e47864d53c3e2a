// REST client. The access token lives in memory only; the refresh token is kept
// in localStorage so a reload keeps the session, and is rotated on every use (a
// stolen copy is detected by the server as reuse).

export type Tokens = { access_token: string; refresh_token: string; user: Me };
export type Me = { id: string; username: string; full_name: string; role: string };
export type ApiError = { status: number; code: string; message: string; field?: string };

const REFRESH_KEY = "confab.refresh";
let access: string | null = null;
let refreshing: Promise<boolean> | null = null;

export function setSession(t: Tokens | null): void {
  access = t?.access_token ?? null;
  if (t) localStorage.setItem(REFRESH_KEY, t.refresh_token);
  else localStorage.removeItem(REFRESH_KEY);
}

export function accessToken(): string | null {
  return access;
}

async function parseError(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => null)) as { error?: { code: string; message: string; field?: string } } | null;
  return { status: res.status, code: body?.error?.code ?? "http_error", message: body?.error?.message ?? res.statusText, field: body?.error?.field };
}

/** Exchanges the stored refresh token for a new pair; false when there is none. */
export async function refresh(): Promise<Me | null> {
  const token = localStorage.getItem(REFRESH_KEY);
  if (!token) return null;
  const res = await fetch("/api/v1/auth/refresh", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ refresh_token: token }),
  });
  if (!res.ok) {
    setSession(null);
    return null;
  }
  const t = (await res.json()) as Tokens;
  setSession(t);
  return t.user;
}

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const send = () =>
    fetch(`/api/v1${path}`, {
      method: init.method ?? "GET",
      headers: { ...(init.body !== undefined ? { "content-type": "application/json" } : {}), ...(access ? { authorization: `Bearer ${access}` } : {}) },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    });
  let res = await send();
  if (res.status === 401 && localStorage.getItem(REFRESH_KEY)) {
    refreshing ??= refresh().then((u) => u !== null).finally(() => (refreshing = null));
    if (await refreshing) res = await send();
  }
  if (!res.ok) throw await parseError(res);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

export async function authenticate(kind: "login" | "register", body: Record<string, string>): Promise<Me> {
  const res = await fetch(`/api/v1/auth/${kind}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!res.ok) throw await parseError(res);
  const t = (await res.json()) as Tokens;
  setSession(t);
  return t.user;
}

export async function logout(): Promise<void> {
  await api("/auth/logout", { method: "POST", body: {} }).catch(() => undefined);
  setSession(null);
}
