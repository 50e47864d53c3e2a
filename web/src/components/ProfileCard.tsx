import * as Dialog from "@radix-ui/react-dialog";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { MessageSquare, UserPlus } from "lucide-react";
import { useState } from "react";

import { Avatar } from "@/components/Avatar";
import { DialogFrame } from "@/components/ui/dialog-frame";
import { Button } from "@/components/ui/button";
import { api, type ApiError } from "@/lib/api";

type Profile = { id: string; username: string; full_name: string; bio: string; status_text: string; role: string; avatar_id?: string };
export type Presence = { status: string; mode?: string; last_seen_at?: string | null };
type Request = { id: string; user: { id: string }; incoming: boolean };

/** Presence in words: online (and busy or away), or when last seen. */
export function presenceText(p: Presence | undefined): string | null {
  if (!p) return null;
  if (p.status === "online") return p.mode && p.mode !== "available" ? `Online, ${p.mode}` : "Online";
  if (p.last_seen_at) return `Last seen ${new Date(p.last_seen_at).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" })}`;
  return "Offline";
}

/** Someone's card, opened from their name or picture: who they are, whether they
 * are around, and a way to message them or ask them to be friends. */
export function ProfileCard({ userId, me, presence, onClose, onOpenChat }: { userId: string | null; me: string; presence?: Presence; onClose: () => void; onOpenChat: (conversationId: string) => void }) {
  const queries = useQueryClient();
  const profile = useQuery({ queryKey: ["user", userId], queryFn: () => api<Profile>(`/users/${userId}`), enabled: !!userId });
  const friends = useQuery({ queryKey: ["friends"], queryFn: () => api<{ id: string; presence?: Presence }[]>("/friends"), enabled: !!userId });
  // The same lists (and cache keys) as the friends page.
  const incoming = useQuery({ queryKey: ["friend-requests", "incoming"], queryFn: () => api<Request[]>("/friends/requests?direction=incoming"), enabled: !!userId });
  const outgoing = useQuery({ queryKey: ["friend-requests", "outgoing"], queryFn: () => api<Request[]>("/friends/requests?direction=outgoing"), enabled: !!userId });
  const [note, setNote] = useState<string | null>(null);
  const p = profile.data;
  const friend = (friends.data ?? []).find((f) => f.id === userId);
  const request = [...(incoming.data ?? []), ...(outgoing.data ?? [])].find((r) => r.user.id === userId);

  async function act(call: () => Promise<unknown>, done?: string) {
    try {
      await call();
      if (done) setNote(done);
    } catch (e) {
      setNote((e as ApiError).message);
    }
  }

  const message = () =>
    act(async () => {
      const c = await api<{ id: string }>("/conversations", { method: "POST", body: { user_id: userId } });
      void queries.invalidateQueries({ queryKey: ["conversations"] });
      onClose();
      onOpenChat(c.id);
    });
  const befriend = () =>
    act(async () => {
      await api("/friends/requests", { method: "POST", body: { user_id: userId } });
      void queries.invalidateQueries({ queryKey: ["friend-requests"] });
    }, "Friend request sent");

  // Presence is shown to friends and co-members of groups only (the server's
  // rule): what the conversation says, or else the friends list.
  const around = presence ?? friend?.presence;
  const seen = presenceText(around);
  return (
    <Dialog.Root open={!!userId} onOpenChange={(o) => !o && (setNote(null), onClose())}>
      <DialogFrame title={p ? p.full_name || p.username : "Profile"} description={p ? `The profile of @${p.username}` : "Loading the profile"}>
        {p && (
          <div className="mt-3 space-y-3">
            <div className="flex items-center gap-3">
              <Avatar size="lg" name={p.full_name || p.username} avatarId={p.avatar_id} />
              <div className="min-w-0 space-y-0.5 text-sm">
                <p className="text-zinc-600 dark:text-zinc-400">
                  @{p.username}
                  {p.role !== "patient" && <span className="ml-2 rounded bg-zinc-100 px-1.5 text-xs dark:bg-zinc-800">{p.role}</span>}
                </p>
                {seen && (
                  <p className="flex items-center gap-1.5">
                    <span className={around?.status === "online" ? "h-2 w-2 rounded-full bg-emerald-500" : "h-2 w-2 rounded-full bg-zinc-400"} aria-hidden />
                    {seen}
                  </p>
                )}
                {p.status_text && <p className="italic">{p.status_text}</p>}
              </div>
            </div>
            {p.bio && <p className="text-sm whitespace-pre-wrap">{p.bio}</p>}
            {userId !== me && (
              <div className="flex flex-wrap items-center gap-2">
                <Button size="sm" onClick={() => void message()}>
                  <MessageSquare className="h-4 w-4" /> Message
                </Button>
                {friend ? (
                  <span className="text-sm text-zinc-600 dark:text-zinc-400">Friends</span>
                ) : request ? (
                  <span className="text-sm text-zinc-600 dark:text-zinc-400">{request.incoming ? "Asked you to be friends" : "Friend request sent"}</span>
                ) : (
                  <Button size="sm" variant="outline" onClick={() => void befriend()}>
                    <UserPlus className="h-4 w-4" /> Add friend
                  </Button>
                )}
              </div>
            )}
            {note && (
              <p role="status" className="text-sm text-zinc-600 dark:text-zinc-400">
                {note}
              </p>
            )}
          </div>
        )}
      </DialogFrame>
    </Dialog.Root>
  );
}
