import { useQuery, useQueryClient } from "@tanstack/react-query";
import { BellOff, LogOut, MessageSquarePlus, UserPlus } from "lucide-react";
import { useState } from "react";

import { Avatar } from "@/components/Avatar";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { api, type ApiError, type Me } from "@/lib/api";
import { cn } from "@/lib/cn";
import { requestJump } from "@/lib/jump";
import { plainText } from "@/lib/markdown";
import { friendRequestHelps, useSetup } from "@/lib/setup";
import { attachmentsText } from "@/lib/attachment-text";
import { systemText, type SystemNote } from "@/lib/system-notes";
import type { Attachment } from "@/lib/types";
import { useTyping } from "@/lib/typing";

import { Invitations } from "./Invitations";
import { MessageHits } from "./MessageHits";
import { NewGroup } from "./NewGroup";

type Member = { user_id: string; username: string; full_name: string; presence?: { status: string }; avatar_id?: string };
type Summary = {
  id: string;
  kind: "direct" | "group";
  name: string | null;
  avatar_id?: string;
  members: Member[];
  unread_count: number;
  /** More messages past the 1,000 counted after the read marker: shown "1000+". */
  unread_more?: boolean;
  muted_until?: string;
  last_message: { body: string | null; sender_id: string; system?: SystemNote; attachments?: Attachment[] } | null;
};
type UserHit = { id: string; username: string; full_name: string };

export function title(c: Summary, me: Me): string {
  if (c.name) return c.name;
  const other = c.members.find((m) => m.user_id !== me.id);
  return other ? other.full_name || other.username : "Conversation";
}

export function Sidebar({ me, open, onOpen, onSignOut }: { me: Me; open: string | null; onOpen: (id: string) => void; onSignOut: () => void }) {
  const queries = useQueryClient();
  const { data } = useQuery({ queryKey: ["conversations"], queryFn: () => api<{ items: Summary[] }>("/conversations?limit=100") });
  const [filter, setFilter] = useState("");
  const [hits, setHits] = useState<UserHit[]>([]);
  const [error, setError] = useState<string | null>(null);
  // Refused because you are not friends: the request, offered in place.
  const [askable, setAskable] = useState<UserHit | null>(null);
  const { data: setup } = useSetup();

  const items = (data?.items ?? []).filter((c) => title(c, me).toLowerCase().includes(filter.toLowerCase()));

  async function findPeople(q: string) {
    setFilter(q);
    setError(null);
    setAskable(null);
    setHits(q.trim().length >= 2 ? (await api<{ items: UserHit[] }>(`/users?q=${encodeURIComponent(q)}&limit=5`)).items.filter((u) => u.id !== me.id) : []);
  }

  async function start(user: UserHit) {
    try {
      const c = await api<Summary>("/conversations", { method: "POST", body: { user_id: user.id } });
      await queries.invalidateQueries({ queryKey: ["conversations"] });
      setHits([]);
      setFilter("");
      onOpen(c.id);
    } catch (e) {
      const err = e as ApiError;
      setError(err.message);
      setAskable(friendRequestHelps(setup?.messaging_policy, err.code) ? user : null);
    }
  }

  async function askFriend(user: UserHit) {
    setAskable(null);
    try {
      await api("/friends/requests", { method: "POST", body: { username: user.username } });
      setError(`Friend request sent to ${user.full_name}. You can chat once they accept.`);
      void queries.invalidateQueries({ queryKey: ["friend-requests"] });
    } catch (e) {
      setError((e as ApiError).message);
    }
  }

  return (
    <aside className="flex w-80 flex-col border-r border-zinc-200 max-sm:w-full max-sm:border-r-0 dark:border-zinc-800" aria-label="Conversations">
      <header className="flex items-center justify-between p-3">
        <span className="font-semibold">{me.full_name || me.username}</span>
        <span className="flex">
          <NewGroup
            onCreated={(id) => {
              void queries.invalidateQueries({ queryKey: ["conversations"] });
              onOpen(id);
            }}
          />
          <Button variant="ghost" size="icon" aria-label="Sign out" onClick={onSignOut}>
            <LogOut className="h-4 w-4" />
          </Button>
        </span>
      </header>
      <div className="px-3 pb-2">
        <Input aria-label="Search conversations and people" placeholder="Search or start a chat" value={filter} onChange={(e) => void findPeople(e.target.value)} />
        {error && (
          <div role="alert" className="mt-2 space-y-1 text-sm text-red-700 dark:text-red-400">
            <p>{error}</p>
            {askable && (
              <Button size="sm" variant="outline" onClick={() => void askFriend(askable)}>
                <UserPlus className="h-4 w-4" /> Send friend request
              </Button>
            )}
          </div>
        )}
        {hits.length > 0 && (
          <ul className="mt-2 rounded-md border border-zinc-200 dark:border-zinc-800">
            {hits.map((u) => (
              <li key={u.id}>
                <button className="flex w-full items-center gap-2 px-3 py-2 text-left text-sm hover:bg-zinc-100 dark:hover:bg-zinc-900" onClick={() => void start(u)}>
                  <MessageSquarePlus className="h-4 w-4" /> {u.full_name} <span className="text-zinc-600 dark:text-zinc-400">@{u.username}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
        <MessageHits
          query={filter}
          me={me.id}
          conversations={data?.items ?? []}
          onOpen={(conversationId, seq) => {
            requestJump(conversationId, seq);
            onOpen(conversationId);
          }}
        />
      </div>
      <Invitations onJoined={onOpen} />
      <nav className="min-h-0 flex-1 overflow-y-auto">
        {items.map((c) => {
          const name = title(c, me);
          const other = c.kind === "direct" ? c.members.find((m) => m.user_id !== me.id) : undefined;
          return (
            <button
              key={c.id}
              onClick={() => onOpen(c.id)}
              aria-current={open === c.id}
              className={cn("flex w-full items-center gap-3 px-3 py-2 text-left hover:bg-zinc-100 dark:hover:bg-zinc-900", open === c.id && "bg-zinc-100 dark:bg-zinc-900")}
            >
              <span className="relative shrink-0">
                <Avatar name={name} avatarId={c.kind === "group" ? c.avatar_id : other?.avatar_id} />
                {other?.presence?.status === "online" && <span className="absolute right-0 bottom-0 h-3 w-3 rounded-full border-2 border-white bg-emerald-500 dark:border-zinc-950" aria-label="online" />}
              </span>
              <span className="min-w-0 flex-1">
                <span className="block truncate font-medium">{name}</span>
                <Preview conversation={c} me={me.id} />
              </span>
              {c.muted_until && <BellOff className="h-4 w-4 shrink-0 text-zinc-400" aria-label="muted" />}
              {(c.unread_count > 0 || c.unread_more) && (
                <span className={cn("rounded-full px-2 text-xs font-semibold text-white", c.muted_until ? "bg-zinc-400" : "bg-indigo-600")} aria-label={`${c.unread_count}${c.unread_more ? "+" : ""} unread`}>
                  {c.unread_count}
                  {c.unread_more ? "+" : ""}
                </span>
              )}
            </button>
          );
        })}
      </nav>
    </aside>
  );
}

/** The last message, or "typing…" while someone types. */
function Preview({ conversation: c, me }: { conversation: Summary; me: string }) {
  const typing = useTyping(c.id);
  if (typing.length > 0) return <span className="block truncate text-sm text-indigo-600 italic">typing…</span>;
  const last = c.last_message;
  const text = !last ? "No messages yet" : last.system ? systemText(last.system, last.sender_id, me) : last.body === null ? "Message deleted" : last.body ? plainText(last.body) : attachmentsText(last.attachments);
  return <span className="block truncate text-sm text-zinc-600 dark:text-zinc-400">{text}</span>;
}
