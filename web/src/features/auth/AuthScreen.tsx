import { useEffect, useState, type FormEvent } from "react";

import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { authenticate, type ApiError, type Me } from "@/lib/api";
import { policyText, useSetup } from "@/lib/setup";

import { ForgotPassword } from "./AccountLinks";

export function AuthScreen({ onSignedIn, notice }: { onSignedIn: (me: Me) => void; notice?: string | null }) {
  const [mode, setMode] = useState<"login" | "register" | "forgot">("login");
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  // A server with no account yet: the first one made here is its administrator.
  const { data: setup } = useSetup();
  const first = !!setup?.next_account_is_admin;
  useEffect(() => {
    if (first) setMode("register");
  }, [first]);

  if (mode === "forgot") return <ForgotPassword onBack={() => setMode("login")} />;

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const data = Object.fromEntries(new FormData(e.currentTarget)) as Record<string, string>;
    if (!data.email) delete data.email;
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await authenticate(mode === "register" ? "register" : "login", data));
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="grid min-h-dvh place-items-center p-4">
      <form onSubmit={submit} className="w-full max-w-sm space-y-4 rounded-xl border border-zinc-200 p-6 shadow-sm dark:border-zinc-800">
        <h1 className="text-2xl font-semibold">{mode === "login" ? "Sign in to Confab" : first ? "Welcome to your new Confab server" : "Create your account"}</h1>
        {first && mode === "register" && (
          <p role="note" className="rounded-md bg-indigo-50 p-2 text-sm text-indigo-900 dark:bg-indigo-950 dark:text-indigo-100">
            This server has no accounts yet. The account you create now will be its administrator: it can manage users, roles and deactivations. Everyone who signs up later gets the
            usual role.
          </p>
        )}
        {mode === "register" && setup && <p className="text-sm text-zinc-600 dark:text-zinc-400">{policyText(setup.messaging_policy)}</p>}
        <label className="block space-y-1 text-sm">
          <span>Username</span>
          <Input name="username" autoComplete="username" required minLength={3} maxLength={32} />
        </label>
        {mode === "register" && (
          <label className="block space-y-1 text-sm">
            <span>Full name</span>
            <Input name="full_name" autoComplete="name" required maxLength={100} />
          </label>
        )}
        {mode === "register" && (
          <label className="block space-y-1 text-sm">
            <span>
              Email address <span className="text-zinc-600 dark:text-zinc-400">(optional, for account recovery)</span>
            </span>
            <Input name="email" type="email" autoComplete="email" maxLength={254} />
          </label>
        )}
        <label className="block space-y-1 text-sm">
          <span>Password</span>
          <Input name="password" type="password" autoComplete={mode === "login" ? "current-password" : "new-password"} required minLength={8} />
        </label>
        {notice && !error && (
          <p role="alert" className="rounded-md bg-amber-100 p-2 text-sm text-amber-900 dark:bg-amber-900 dark:text-amber-100">
            {notice}
          </p>
        )}
        {error && (
          <p role="alert" className="text-sm text-red-600 dark:text-red-400">
            {error.message}
          </p>
        )}
        <Button type="submit" className="w-full" disabled={busy}>
          {mode === "login" ? "Sign in" : first ? "Create the administrator account" : "Create account"}
        </Button>
        {mode === "login" && (
          <button type="button" className="w-full text-sm text-indigo-600 hover:underline dark:text-indigo-400" onClick={() => setMode("forgot")}>
            Forgot your password?
          </button>
        )}
        <button type="button" className="w-full text-sm text-indigo-600 hover:underline dark:text-indigo-400" onClick={() => setMode(mode === "login" ? "register" : "login")}>
          {mode === "login" ? "New here? Create an account" : "Have an account? Sign in"}
        </button>
      </form>
    </div>
  );
}
