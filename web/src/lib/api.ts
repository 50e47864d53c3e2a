// REST client. The access token lives in memory only; the refresh token lives in
// an HttpOnly cookie that no script can read (the server sets it when asked with
// `X-Confab-Refresh: cookie`), scoped to /api/v1/auth, and is rotated on every use
// (a stolen copy is detected by the server as reuse). localStorage holds only a
// hint that a session may exist, so a reload knows to try a refresh.
//
// The access token is renewed before it expires (at three quarters of its
// lifetime), not only when a request is refused: the open WebSocket carries it
// too, and the server closes a socket whose token has expired.

export type Tokens = { access_token: string; expires_in: number; user: Me };
export type Me = { id: string; username: string; full_name: string; role: string };
export type ApiError = { status: number; code: string; message: string; field?: string };

const SIGNED_IN = "confab.signed-in";
/** Where earlier versions kept the refresh token itself: spent once into the cookie. */
const LEGACY_REFRESH = "confab.refresh";
const COOKIE_MODE = { "x-confab-refresh": "cookie" };
const hasSession = () => localStorage.getItem(SIGNED_IN) !== null || localStorage.getItem(LEGACY_REFRESH) !== null;
let access: string | null = null;
let expiresAt = 0;
let renewTimer: ReturnType<typeof setTimeout> | null = null;
let refreshing: Promise<Refreshed> | null = null;
const tokenListeners = new Set<(token: string) => void>();
let endListener: (why: ApiError) => void = () => undefined;

/** What a refresh came to: a new session, a refusal (signed out), or no answer. */
type Refreshed = { user: Me } | { refused: ApiError } | { unreachable: true };

export function setSession(t: Tokens | null): void {
  if (renewTimer) clearTimeout(renewTimer);
  renewTimer = null;
  access = t?.access_token ?? null;
  if (!t) {
    expiresAt = 0;
    localStorage.removeItem(SIGNED_IN);
    localStorage.removeItem(LEGACY_REFRESH);
    return;
  }
  localStorage.setItem(SIGNED_IN, "1");
  expiresAt = Date.now() + t.expires_in * 1000;
  renewTimer = setTimeout(() => void renew(), Math.max(5_000, t.expires_in * 750));
  for (const l of tokenListeners) l(t.access_token);
}

export function accessToken(): string | null {
  return access;
}

/** Calls `f` with every new access token (to re-authenticate an open socket). */
export function onAccessToken(f: (token: string) => void): () => void {
  tokenListeners.add(f);
  return () => tokenListeners.delete(f);
}

/** Called once when the server refuses to renew the session (signed out elsewhere,
 *  deactivated, expired): the app shows the sign-in screen with the reason. */
export function onSessionEnded(f: (why: ApiError) => void): void {
  endListener = f;
}

async function parseError(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => null)) as { error?: { code: string; message: string; field?: string } } | null;
  return { status: res.status, code: body?.error?.code ?? "http_error", message: body?.error?.message ?? res.statusText, field: body?.error?.field };
}

// Tabs of one browser share the refresh cookie, and a token spent twice signs the
// session out (reuse detection): one tab at a time refreshes, so each sends the
// cookie the previous one received.
function exclusive<T>(f: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
  return locks ? (locks.request("confab.refresh", f) as Promise<T>) : f();
}

async function refreshOnce(): Promise<Refreshed> {
  return exclusive(async () => {
    if (!hasSession()) return { refused: { status: 401, code: "signed_out", message: "You are signed out." } };
    const legacy = localStorage.getItem(LEGACY_REFRESH);
    let res: Response;
    try {
      res = await fetch("/api/v1/auth/refresh", {
        method: "POST",
        headers: { "content-type": "application/json", ...COOKIE_MODE },
        body: JSON.stringify(legacy ? { refresh_token: legacy } : {}),
      });
    } catch {
      return { unreachable: true };
    }
    if (res.status >= 500) return { unreachable: true };
    if (!res.ok) {
      const why = await parseError(res);
      setSession(null);
      return { refused: why };
    }
    const t = (await res.json()) as Tokens;
    localStorage.removeItem(LEGACY_REFRESH);
    setSession(t);
    return { user: t.user };
  });
}

/** Exchanges the stored refresh token for a new pair; one refresh at a time. */
function refreshSession(): Promise<Refreshed> {
  refreshing ??= refreshOnce().finally(() => (refreshing = null));
  return refreshing;
}

/** The signed-in user after a refresh, or null (no session, or refused). */
export async function refresh(): Promise<Me | null> {
  if (!hasSession()) return null;
  const r = await refreshSession();
  return "user" in r ? r.user : null;
}

// Renewal on schedule: refused means the session is over; no answer (offline,
// server restarting) is tried again shortly, and the session is kept.
async function renew(): Promise<void> {
  const r = await refreshSession();
  if ("refused" in r) endListener(r.refused);
  else if ("unreachable" in r) renewTimer = setTimeout(() => void renew(), 10_000);
}

/** A token good for at least a few more seconds: the current one, or a renewed
 *  one when it is about to expire or `renewed` is asked for (after the server
 *  refused it). Null when there is no session to be had. */
export async function freshAccessToken(renewed = false): Promise<string | null> {
  if (access && !renewed && expiresAt - Date.now() > 10_000) return access;
  if (!hasSession()) return null;
  const r = await refreshSession();
  if ("refused" in r) endListener(r.refused);
  return "user" in r ? access : null;
}

/** A call to the API: JSON `body`, or a file as the raw body (`raw`). */
export async function api<T>(path: string, init: { method?: string; body?: unknown; raw?: Blob } = {}): Promise<T> {
  const json = init.body !== undefined;
  const send = () =>
    fetch(`/api/v1${path}`, {
      method: init.method ?? "GET",
      headers: { ...(json ? { "content-type": "application/json" } : {}), ...(access ? { authorization: `Bearer ${access}` } : {}) },
      body: json ? JSON.stringify(init.body) : init.raw,
    });
  let res = await send();
  if (res.status === 401 && hasSession()) {
    const r = await refreshSession();
    if ("user" in r) res = await send();
    else if ("refused" in r) endListener(r.refused);
  }
  if (!res.ok) throw await parseError(res);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

export async function authenticate(kind: "login" | "register", body: Record<string, string>): Promise<Me> {
  const res = await fetch(`/api/v1/auth/${kind}`, { method: "POST", headers: { "content-type": "application/json", ...COOKIE_MODE }, body: JSON.stringify(body) });
  if (!res.ok) throw await parseError(res);
  const t = (await res.json()) as Tokens;
  setSession(t);
  return t.user;
}

export async function logout(): Promise<void> {
  await api("/auth/logout", { method: "POST", body: {} }).catch(() => undefined);
  setSession(null);
}
