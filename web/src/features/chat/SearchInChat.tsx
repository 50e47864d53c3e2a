import * as Dialog from "@radix-ui/react-dialog";
import { useQuery } from "@tanstack/react-query";
import { Search } from "lucide-react";
import { useEffect, useState } from "react";

import { Button } from "@/components/ui/button";
import { DialogFrame } from "@/components/ui/dialog-frame";
import { Input } from "@/components/ui/input";
import { Highlighted } from "@/components/Highlighted";
import { api } from "@/lib/api";
import { searchWords } from "@/lib/search";
import type { Message } from "@/lib/types";

type Member = { user_id: string; username: string; full_name: string };

/** A day picked in a date input as the instant it starts, here. */
const dayStart = (d: string, plusDays = 0) => {
  const t = new Date(`${d}T00:00`);
  t.setDate(t.getDate() + plusDays);
  return t.toISOString();
};

/** Search inside this conversation: words, from whom, between which days; a hit
 * opens at its message. */
export function SearchInChat({ conversationId, members, me, onPick }: { conversationId: string; members: Member[]; me: string; onPick: (seq: number) => void }) {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState("");
  const [q, setQ] = useState("");
  const [from, setFrom] = useState("");
  const [since, setSince] = useState("");
  const [until, setUntil] = useState("");
  useEffect(() => {
    const t = setTimeout(() => setQ(text.trim()), 300);
    return () => clearTimeout(t);
  }, [text]);
  const words = searchWords(q);
  const params = new URLSearchParams({ q, conversation_id: conversationId, limit: "50" });
  if (from) params.set("from", from);
  if (since) params.set("since", dayStart(since));
  if (until) params.set("until", dayStart(until, 1));
  const found = useQuery({ queryKey: ["search", params.toString()], queryFn: () => api<{ items: Message[] }>(`/search/messages?${params}`), enabled: open && words.length > 0 });
  const nameOf = (id: string) => (id === me ? "You" : (members.find((m) => m.user_id === id)?.full_name ?? "Someone"));
  return (
    <Dialog.Root open={open} onOpenChange={setOpen}>
      <Dialog.Trigger asChild>
        <Button variant="ghost" size="icon" aria-label="Search in this conversation" title="Search in this conversation">
          <Search className="h-4 w-4" />
        </Button>
      </Dialog.Trigger>
      <DialogFrame title="Search in this conversation" description="Words of three or more letters; from one person; between two days.">
        <div className="mt-3 space-y-2">
          <Input aria-label="Words to find" placeholder="Words to find" value={text} onChange={(e) => setText(e.target.value)} autoFocus />
          <div className="flex flex-wrap gap-2 text-sm">
            <select aria-label="From" value={from} onChange={(e) => setFrom(e.target.value)} className="h-9 rounded-md border border-zinc-300 bg-transparent px-2 dark:border-zinc-700">
              <option value="">Anyone</option>
              {members.map((m) => (
                <option key={m.user_id} value={m.user_id}>
                  {m.user_id === me ? "You" : m.full_name || m.username}
                </option>
              ))}
            </select>
            <label className="flex items-center gap-1">
              Since <Input type="date" aria-label="Since" value={since} onChange={(e) => setSince(e.target.value)} className="w-auto" />
            </label>
            <label className="flex items-center gap-1">
              Until <Input type="date" aria-label="Until" value={until} onChange={(e) => setUntil(e.target.value)} className="w-auto" />
            </label>
          </div>
          {found.isSuccess && found.data.items.length === 0 && <p className="text-sm text-zinc-600 dark:text-zinc-400">Nothing found.</p>}
          <ul aria-label="Found in this conversation" className="max-h-80 space-y-1 overflow-y-auto">
            {(found.data?.items ?? []).map((m) => (
              <li key={m.id}>
                <button
                  type="button"
                  className="w-full rounded px-2 py-1.5 text-left text-sm hover:bg-zinc-100 dark:hover:bg-zinc-800"
                  onClick={() => {
                    setOpen(false);
                    onPick(m.seq);
                  }}
                >
                  <span className="flex justify-between text-xs text-zinc-600 dark:text-zinc-400">
                    <span>{nameOf(m.sender_id)}</span>
                    <time dateTime={m.created_at}>{new Date(m.created_at).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" })}</time>
                  </span>
                  <Highlighted body={m.body} words={words} />
                </button>
              </li>
            ))}
          </ul>
        </div>
      </DialogFrame>
    </Dialog.Root>
  );
}
