import { useState, type FormEvent } from "react";

import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { api, type ApiError } from "@/lib/api";

/** The account's address: shown with whether it is confirmed; changed or
 *  removed with the current password. */
export function EmailCard({ email, verified, onChanged }: { email?: string | null; verified: boolean; onChanged: (note: string) => void }) {
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  async function call(p: Promise<unknown>, done: string) {
    setError(null);
    try {
      await p;
      setEditing(false);
      onChanged(done);
    } catch (e) {
      setError(e as ApiError);
    }
  }

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const next = String(data.get("email") ?? "").trim();
    const body = { email: next || null, current_password: String(data.get("current_password") ?? "") };
    void call(api("/users/me/email", { method: "PUT", body }), next ? `A confirmation link was mailed to ${next}` : "Email address removed");
  }

  return (
    <Card aria-label="Email address">
      <h2 className="mb-1 font-medium">Email address</h2>
      <p className="mb-2 text-sm text-zinc-600 dark:text-zinc-400">Used for password reset links and notices; never shown to other people.</p>
      {!editing && (
        <div className="flex flex-wrap items-center gap-2 text-sm">
          {email ? (
            <>
              <span className="font-medium">{email}</span>
              {verified ? (
                <span className="rounded-full bg-emerald-100 px-2 text-xs text-emerald-900 dark:bg-emerald-900 dark:text-emerald-100">confirmed</span>
              ) : (
                <>
                  <span className="rounded-full bg-amber-100 px-2 text-xs text-amber-900 dark:bg-amber-900 dark:text-amber-100">waiting for confirmation</span>
                  <Button size="sm" variant="ghost" onClick={() => void call(api("/users/me/email/verification", { method: "POST" }), `A new confirmation link was mailed to ${email}`)}>
                    Send the link again
                  </Button>
                </>
              )}
            </>
          ) : (
            <span className="text-zinc-600 dark:text-zinc-400">No address: a forgotten password then needs an administrator.</span>
          )}
          <Button size="sm" variant="outline" className="ml-auto" onClick={() => setEditing(true)}>
            {email ? "Change" : "Add an address"}
          </Button>
        </div>
      )}
      {editing && (
        <form onSubmit={submit} className="space-y-3">
          <Input name="email" type="email" aria-label="New email address" placeholder="New address (empty to remove)" defaultValue={email ?? ""} maxLength={254} autoComplete="email" />
          <Input name="current_password" type="password" aria-label="Current password" placeholder="Current password" autoComplete="current-password" required />
          <div className="flex gap-2">
            <Button type="submit">Save address</Button>
            <Button type="button" variant="ghost" onClick={() => setEditing(false)}>
              Cancel
            </Button>
          </div>
        </form>
      )}
      {error && (
        <p role="alert" className="mt-2 text-sm text-red-600 dark:text-red-400">
          {error.message}
        </p>
      )}
    </Card>
  );
}
