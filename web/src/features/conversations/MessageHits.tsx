import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";

import { Highlighted } from "@/components/Highlighted";
import { api } from "@/lib/api";
import { searchWords } from "@/lib/search";
import type { Message } from "@/lib/types";

type Conv = { id: string; kind: "direct" | "group"; name: string | null; members: { user_id: string; username: string; full_name: string }[] };

/** Messages that match what is typed in the sidebar's search (3+ letters), from
 * every conversation you are in, newest first; a click opens the conversation at
 * the message. */
export function MessageHits({ query, me, conversations, onOpen }: { query: string; me: string; conversations: Conv[]; onOpen: (conversationId: string, seq: number) => void }) {
  // Asked once typing pauses, not per key.
  const [q, setQ] = useState("");
  useEffect(() => {
    const t = setTimeout(() => setQ(query.trim()), 300);
    return () => clearTimeout(t);
  }, [query]);
  const words = searchWords(q);
  const found = useQuery({
    queryKey: ["search", q],
    queryFn: () => api<{ items: Message[] }>(`/search/messages?q=${encodeURIComponent(q)}&limit=20`),
    enabled: words.length > 0,
    staleTime: 10_000,
  });
  if (words.length === 0) return null;
  const items = found.data?.items ?? [];
  const byId = new Map(conversations.map((c) => [c.id, c]));
  const nameOf = (c: Conv | undefined, user: string) => {
    const m = c?.members.find((x) => x.user_id === user);
    return user === me ? "You" : m ? m.full_name || m.username : "Someone";
  };
  const titleOf = (c: Conv | undefined) => (!c ? "" : c.name ?? c.members.filter((m) => m.user_id !== me).map((m) => m.full_name || m.username).join(", "));
  return (
    <section aria-label="Messages found" className="mt-2">
      <h2 className="px-1 text-xs font-semibold text-zinc-600 dark:text-zinc-400">Messages</h2>
      {found.isSuccess && items.length === 0 && <p className="px-1 py-1 text-sm text-zinc-600 dark:text-zinc-400">No messages with “{words.join(" ")}”.</p>}
      <ul className="max-h-72 overflow-y-auto">
        {items.map((m) => {
          const c = byId.get(m.conversation_id);
          return (
            <li key={m.id}>
              <button type="button" className="w-full rounded px-1 py-1.5 text-left text-sm hover:bg-zinc-100 dark:hover:bg-zinc-900" onClick={() => onOpen(m.conversation_id, m.seq)}>
                <span className="flex justify-between gap-2 text-xs text-zinc-600 dark:text-zinc-400">
                  <span className="truncate">
                    {nameOf(c, m.sender_id)}
                    {c?.kind === "group" ? ` in ${titleOf(c)}` : ""}
                  </span>
                  <time dateTime={m.created_at}>{new Date(m.created_at).toLocaleDateString()}</time>
                </span>
                <span className="line-clamp-2">
                  <Highlighted body={m.body} words={words} />
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
