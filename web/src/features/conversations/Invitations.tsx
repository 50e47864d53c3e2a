import { useQuery, useQueryClient } from "@tanstack/react-query";

import { Button } from "@/components/ui/button";
import { api } from "@/lib/api";

type Invitation = { conversation_id: string; name: string | null; invited_by: { username: string; full_name: string }; created_at: string };

/** Groups someone invited you to (they could not add you directly: see "Who may
 * add me to groups" on the profile). Nothing of you shows in the group until you
 * accept; declining tells nobody. */
export function Invitations({ onJoined }: { onJoined: (id: string) => void }) {
  const queries = useQueryClient();
  const { data } = useQuery({ queryKey: ["invitations"], queryFn: () => api<Invitation[]>("/invitations") });
  if (!data || data.length === 0) return null;
  async function answer(id: string, accept: boolean) {
    await api(`/invitations/${id}/${accept ? "accept" : "decline"}`, { method: "POST", body: {} }).catch(() => undefined);
    void queries.invalidateQueries({ queryKey: ["invitations"] });
    if (accept) {
      void queries.invalidateQueries({ queryKey: ["conversations"] });
      onJoined(id);
    }
  }
  return (
    <section aria-label="Group invitations" className="mx-3 mb-2 rounded-md border border-indigo-200 p-2 text-sm dark:border-indigo-900">
      {data.map((i) => (
        <div key={i.conversation_id} className="flex items-center justify-between gap-2 py-1">
          <span className="min-w-0 truncate">
            <strong>{i.invited_by.full_name || i.invited_by.username}</strong> invited you to <strong>{i.name ?? "a group"}</strong>
          </span>
          <span className="flex shrink-0 gap-1">
            <Button size="sm" onClick={() => void answer(i.conversation_id, true)}>
              Join
            </Button>
            <Button size="sm" variant="outline" onClick={() => void answer(i.conversation_id, false)}>
              Decline
            </Button>
          </span>
        </div>
      ))}
    </section>
  );
}
