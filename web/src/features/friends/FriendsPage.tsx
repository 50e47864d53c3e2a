import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { Avatar } from "@/components/Avatar";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { api, type ApiError } from "@/lib/api";

type User = { id: string; username: string; full_name: string; avatar_id?: string };
type Request = { id: string; user: User; incoming: boolean };
type Friend = User & { presence: { status: string; mode?: string } };

export function FriendsPage({ me }: { me: string }) {
  const queries = useQueryClient();
  const incoming = useQuery({ queryKey: ["friend-requests", "incoming"], queryFn: () => api<Request[]>("/friends/requests?direction=incoming") });
  const outgoing = useQuery({ queryKey: ["friend-requests", "outgoing"], queryFn: () => api<Request[]>("/friends/requests?direction=outgoing") });
  const friends = useQuery({ queryKey: ["friends"], queryFn: () => api<Friend[]>("/friends") });
  const blocks = useQuery({ queryKey: ["blocks"], queryFn: () => api<User[]>("/blocks") });
  const [message, setMessage] = useState<string | null>(null);

  async function act(call: Promise<unknown>, done: string) {
    try {
      await call;
      setMessage(done);
    } catch (e) {
      setMessage((e as ApiError).message);
    }
    for (const key of ["friend-requests", "friends", "blocks", "conversations"]) void queries.invalidateQueries({ queryKey: [key] });
  }

  const [hits, setHits] = useState<User[]>([]);
  /** What a search hit already is to you, instead of an "Add friend" button. */
  function relation(id: string) {
    const tag = (text: string) => <span className="text-xs text-zinc-600 dark:text-zinc-400">{text}</span>;
    if ((friends.data ?? []).some((f) => f.id === id)) return tag("Friend");
    if ((outgoing.data ?? []).some((r) => r.user.id === id)) return tag("Request sent");
    if ((incoming.data ?? []).some((r) => r.user.id === id)) return tag("Asked you: see below");
    return null;
  }
  async function search(q: string) {
    setHits(q.trim().length >= 2 ? (await api<{ items: User[] }>(`/users?q=${encodeURIComponent(q)}&limit=8`)).items.filter((u) => u.id !== me) : []);
  }

  function request(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const username = String(new FormData(e.currentTarget).get("username") ?? "").trim();
    if (username) void act(api("/friends/requests", { method: "POST", body: { username } }), `Request sent to @${username}`);
    e.currentTarget.reset();
  }

  return (
    <div className="mx-auto w-full max-w-2xl space-y-4 overflow-y-auto p-4">
      <h1 className="text-xl font-semibold">Friends</h1>
      <Card>
        <form onSubmit={request} className="flex gap-2">
          <Input name="username" aria-label="Username to befriend" placeholder="Add a friend by username" />
          <Button type="submit">Send request</Button>
        </form>
        <Input className="mt-2" aria-label="Find people" placeholder="Or find people by name" onChange={(e) => void search(e.target.value)} />
        <ul aria-label="People found">
          {hits.map((u) => (
            <li key={u.id} className="flex items-center justify-between py-1 text-sm">
              <span className="flex items-center gap-2">
                <Avatar size="sm" name={u.full_name || u.username} avatarId={u.avatar_id} />
                {u.full_name} <span className="text-zinc-600 dark:text-zinc-400">@{u.username}</span>
              </span>
              {relation(u.id) ?? (
                <Button size="sm" variant="outline" onClick={() => void act(api("/friends/requests", { method: "POST", body: { user_id: u.id } }), `Request sent to @${u.username}`)}>
                  Add friend
                </Button>
              )}
            </li>
          ))}
        </ul>
        {message && (
          <p role="status" className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
            {message}
          </p>
        )}
      </Card>
      <Card aria-label="Incoming requests">
        <h2 className="mb-2 font-medium">Requests for you</h2>
        {(incoming.data ?? []).length === 0 && <p className="text-sm text-zinc-600 dark:text-zinc-400">None right now.</p>}
        {(incoming.data ?? []).map((r) => (
          <div key={r.id} className="flex items-center justify-between py-1">
            <span className="flex items-center gap-2">
              <Avatar size="sm" name={r.user.full_name || r.user.username} avatarId={r.user.avatar_id} />
              {r.user.full_name} <span className="text-zinc-600 dark:text-zinc-400">@{r.user.username}</span>
            </span>
            <span className="flex gap-2">
              <Button size="sm" onClick={() => void act(api(`/friends/requests/${r.id}/accept`, { method: "POST", body: {} }), `You and @${r.user.username} are friends`)}>
                Accept
              </Button>
              <Button size="sm" variant="outline" onClick={() => void act(api(`/friends/requests/${r.id}/reject`, { method: "POST", body: {} }), "Request declined")}>
                Reject
              </Button>
            </span>
          </div>
        ))}
      </Card>
      <Card aria-label="Sent requests">
        <h2 className="mb-2 font-medium">Sent</h2>
        {(outgoing.data ?? []).length === 0 && <p className="text-sm text-zinc-600 dark:text-zinc-400">No pending requests.</p>}
        {(outgoing.data ?? []).map((r) => (
          <div key={r.id} className="flex items-center justify-between py-1">
            <span>@{r.user.username}</span>
            <Button size="sm" variant="outline" onClick={() => void act(api(`/friends/requests/${r.id}`, { method: "DELETE" }), "Request cancelled")}>
              Cancel
            </Button>
          </div>
        ))}
      </Card>
      <Card aria-label="Your friends">
        <h2 className="mb-2 font-medium">Your friends</h2>
        {(friends.data ?? []).length === 0 && <p className="text-sm text-zinc-600 dark:text-zinc-400">No friends yet: send a request above.</p>}
        {(friends.data ?? []).map((f) => (
          <div key={f.id} className="flex items-center justify-between py-1">
            <span className="flex items-center gap-2">
              <span className={f.presence.status === "online" ? "h-2.5 w-2.5 rounded-full bg-emerald-500" : "h-2.5 w-2.5 rounded-full bg-zinc-400"} aria-label={f.presence.status} />
              <Avatar size="sm" name={f.full_name || f.username} avatarId={f.avatar_id} />
              {f.full_name} <span className="text-zinc-600 dark:text-zinc-400">@{f.username}</span>
            </span>
            <span className="flex gap-2">
              <Button size="sm" variant="outline" onClick={() => void act(api(`/friends/${f.id}`, { method: "DELETE" }), "Unfriended")}>
                Unfriend
              </Button>
              <Button size="sm" variant="outline" onClick={() => void act(api("/blocks", { method: "POST", body: { user_id: f.id } }), `@${f.username} blocked`)}>
                Block
              </Button>
            </span>
          </div>
        ))}
      </Card>
      {(blocks.data ?? []).length > 0 && (
        <Card aria-label="Blocked users">
          <h2 className="mb-2 font-medium">Blocked</h2>
          {(blocks.data ?? []).map((u) => (
            <div key={u.id} className="flex items-center justify-between py-1">
              <span>@{u.username}</span>
              <Button size="sm" variant="outline" onClick={() => void act(api(`/blocks/${u.id}`, { method: "DELETE" }), "Unblocked")}>
                Unblock
              </Button>
            </div>
          ))}
        </Card>
      )}
    </div>
  );
}
