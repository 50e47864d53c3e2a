import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { Avatar } from "@/components/Avatar";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { api, type ApiError } from "@/lib/api";

type AdminUser = { id: string; username: string; full_name: string; role: string; deactivated_at: string | null; avatar_id?: string };

/** A change that waits for the admin to confirm it. */
type Pending = { question: string; confirm: string; act: () => Promise<unknown>; done: string; after?: () => void };

/** User administration. Role changes and deactivations are confirmed first; an
 * admin who gives up their own admin role leaves this page (`onOwnRole`). */
export function AdminPage({ me, onOwnRole }: { me: string; onOwnRole: (role: string) => void }) {
  const queries = useQueryClient();
  const [q, setQ] = useState("");
  const users = useQuery({ queryKey: ["admin-users", q], queryFn: () => api<{ items: AdminUser[] }>(`/admin/users?limit=100&q=${encodeURIComponent(q)}`) });
  const [note, setNote] = useState<string | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);

  async function run(call: Promise<unknown>, done: string, after?: () => void) {
    try {
      await call;
      setNote(done);
      after?.();
    } catch (e) {
      setNote((e as ApiError).message);
    }
    void queries.invalidateQueries({ queryKey: ["admin-users"] });
  }

  function changeRole(u: AdminUser, role: string) {
    const self = u.id === me;
    setPending({
      question: self ? `Make yourself ${role}? You will no longer be an admin and will leave this page.` : `Make @${u.username} ${role}?`,
      confirm: `Make ${role}`,
      act: () => api(`/admin/users/${u.id}`, { method: "PATCH", body: { role } }),
      done: `@${u.username} is now ${role}`,
      after: self ? () => onOwnRole(role) : undefined,
    });
  }

  return (
    <div className="mx-auto w-full max-w-3xl space-y-4 overflow-y-auto p-4">
      <h1 className="text-xl font-semibold">Users</h1>
      <Input aria-label="Search users" placeholder="Search by name or username" value={q} onChange={(e) => setQ(e.target.value)} />
      {note && (
        <p role="status" className="text-sm text-zinc-600 dark:text-zinc-400">
          {note}
        </p>
      )}
      {pending && (
        <div role="alertdialog" aria-label="Confirm" className="flex flex-wrap items-center gap-2 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-800 dark:bg-amber-950">
          <span className="flex-1">{pending.question}</span>
          <Button size="sm" onClick={() => (setPending(null), void run(pending.act(), pending.done, pending.after))}>
            {pending.confirm}
          </Button>
          <Button size="sm" variant="outline" onClick={() => setPending(null)}>
            Cancel
          </Button>
        </div>
      )}
      <Card className="divide-y divide-zinc-200 p-0 dark:divide-zinc-800">
        {(users.data?.items ?? []).map((u) => (
          <div key={u.id} className="flex flex-wrap items-center justify-between gap-2 px-4 py-2">
            <span className="flex items-center gap-2">
              <Avatar size="sm" name={u.full_name || u.username} avatarId={u.avatar_id} />
              {u.full_name} <span className="text-zinc-600 dark:text-zinc-400">@{u.username}</span>
              {u.deactivated_at && <span className="ml-2 rounded bg-red-100 px-1.5 text-xs text-red-800 dark:bg-red-950 dark:text-red-300">deactivated</span>}
            </span>
            <span className="flex items-center gap-2">
              <select
                aria-label={`Role of ${u.username}`}
                value={u.role}
                onChange={(e) => changeRole(u, e.target.value)}
                className="h-8 rounded-md border border-zinc-300 bg-transparent px-2 text-sm dark:border-zinc-700"
              >
                {["patient", "doctor", "admin"].map((r) => (
                  <option key={r}>{r}</option>
                ))}
              </select>
              {u.deactivated_at ? (
                <Button size="sm" variant="outline" onClick={() => void run(api(`/admin/users/${u.id}/reactivate`, { method: "POST", body: {} }), "Reactivated")}>
                  Reactivate
                </Button>
              ) : (
                <Button
                  size="sm"
                  variant="outline"
                  onClick={() =>
                    setPending({
                      question: `Deactivate @${u.username}? They are signed out everywhere at once and cannot sign in until reactivated.`,
                      confirm: "Deactivate",
                      act: () => api(`/admin/users/${u.id}/deactivate`, { method: "POST", body: {} }),
                      done: `@${u.username} deactivated`,
                    })
                  }
                >
                  Deactivate
                </Button>
              )}
            </span>
          </div>
        ))}
      </Card>
    </div>
  );
}
