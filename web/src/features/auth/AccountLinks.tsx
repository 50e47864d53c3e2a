import { useEffect, useRef, useState, type FormEvent, type ReactNode } from "react";

import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { api, type ApiError } from "@/lib/api";

/** The token a mailed link carries in its fragment (never sent to the server
 *  with the page request, so it stays out of logs and Referer headers). */
export function linkToken(hash: string): string {
  return new URLSearchParams(hash.replace(/^#/, "")).get("token") ?? "";
}

function Frame({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="grid min-h-dvh place-items-center p-4">
      <div className="w-full max-w-sm space-y-4 rounded-xl border border-zinc-200 p-6 shadow-sm dark:border-zinc-800">
        <h1 className="text-2xl font-semibold">{title}</h1>
        {children}
      </div>
    </div>
  );
}

function Problem({ error }: { error: ApiError | null }) {
  if (!error) return null;
  return (
    <p role="alert" className="text-sm text-red-600 dark:text-red-400">
      {error.message}
    </p>
  );
}

/** "Forgot your password?": asks for a link by username or address. The answer
 *  is the same whether or not the account exists. */
export function ForgotPassword({ onBack }: { onBack: () => void }) {
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const who = String(new FormData(e.currentTarget).get("who") ?? "").trim();
    setBusy(true);
    setError(null);
    try {
      await api("/auth/password-reset", { method: "POST", body: who.includes("@") ? { email: who } : { username: who } });
      setSent(true);
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Frame title="Reset your password">
      {sent ? (
        <p role="status" className="text-sm">
          If that account has a confirmed email address, a link to choose a new password is on its way. It works once, for 30 minutes. No mail? Check the spam folder, or ask your administrator for a reset link.
        </p>
      ) : (
        <form onSubmit={submit} className="space-y-4">
          <p className="text-sm text-zinc-600 dark:text-zinc-400">We mail a link to the confirmed address of your account.</p>
          <label className="block space-y-1 text-sm">
            <span>Username or email address</span>
            <Input name="who" autoComplete="username" required maxLength={254} />
          </label>
          <Problem error={error} />
          <Button type="submit" className="w-full" disabled={busy}>
            Send me a link
          </Button>
        </form>
      )}
      <button type="button" className="w-full text-sm text-indigo-600 hover:underline dark:text-indigo-400" onClick={onBack}>
        Back to sign in
      </button>
    </Frame>
  );
}

/** The page a reset link opens: choose a new password. */
export function ResetPassword({ token, onDone }: { token: string; onDone: (notice: string) => void }) {
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const password = String(data.get("new_password") ?? "");
    if (password !== String(data.get("repeat") ?? "")) {
      setError({ status: 0, code: "mismatch", message: "The two passwords differ." });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api("/auth/password-reset/confirm", { method: "POST", body: { token, new_password: password } });
      onDone("Your password was changed and every device was signed out. Sign in with the new password.");
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  }

  const dead = error && ["reset_token_used", "reset_token_expired", "reset_token_invalid"].includes(error.code);
  return (
    <Frame title="Choose a new password">
      <form onSubmit={submit} onChange={() => error?.code === "mismatch" && setError(null)} className="space-y-4">
        <label className="block space-y-1 text-sm">
          <span>New password</span>
          <Input name="new_password" type="password" autoComplete="new-password" required minLength={8} maxLength={128} />
        </label>
        <label className="block space-y-1 text-sm">
          <span>Repeat it</span>
          <Input name="repeat" type="password" autoComplete="new-password" required minLength={8} maxLength={128} />
        </label>
        <Problem error={error} />
        <Button type="submit" className="w-full" disabled={busy || !!dead}>
          Set new password
        </Button>
      </form>
      <button type="button" className="w-full text-sm text-indigo-600 hover:underline dark:text-indigo-400" onClick={() => onDone("")}>
        {dead ? "Ask for a new link" : "Back to sign in"}
      </button>
    </Frame>
  );
}

/** The page a confirmation link opens: confirms at once, says how it went. */
export function VerifyEmail({ token, onDone }: { token: string; onDone: () => void }) {
  const [state, setState] = useState<"busy" | "done" | ApiError>("busy");
  const asked = useRef(false);
  useEffect(() => {
    // Once: a token works once, and a second call would report it used.
    if (asked.current) return;
    asked.current = true;
    void api("/auth/verify-email", { method: "POST", body: { token } }).then(
      () => setState("done"),
      (e: ApiError) => setState(e),
    );
  }, [token]);
  return (
    <Frame title="Confirm your email address">
      {state === "busy" ? (
        <p role="status">Confirming…</p>
      ) : state === "done" ? (
        <p role="status">Your address is confirmed. Password reset links and notices will come here.</p>
      ) : (
        <Problem error={state} />
      )}
      <Button className="w-full" onClick={onDone}>
        Continue to Confab
      </Button>
    </Frame>
  );
}
