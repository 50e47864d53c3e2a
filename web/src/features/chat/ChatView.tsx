import { useQuery } from "@tanstack/react-query";
import { ArrowLeft } from "lucide-react";
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";

import { Button } from "@/components/ui/button";
import { api, type Me } from "@/lib/api";
import { addPending, markRetrying, mergeHistory, visible } from "@/lib/chat-state";
import { cn } from "@/lib/cn";
import { sendNow, sendTyping, subscribe } from "@/lib/live";
import { updateChat, useChat } from "@/lib/store";
import type { Message } from "@/lib/types";

import { Linkified } from "./Linkified";

type Member = { user_id: string; username: string; full_name: string; last_read_seq: number };
type Summary = { id: string; kind: "direct" | "group"; name: string | null; members: Member[] };

export function ChatView({ me, conversationId, onBack }: { me: Me; conversationId: string; onBack: () => void }) {
  const conv = useChat((s) => s.conversations[conversationId]);
  const shown = useMemo(() => visible({ me: me.id, conversations: conv ? { [conversationId]: conv } : {} }, conversationId), [conv, conversationId, me.id]);
  const { data: info } = useQuery({ queryKey: ["conversation", conversationId], queryFn: () => api<Summary>(`/conversations/${conversationId}`) });
  const [draft, setDraft] = useState("");
  const [typing, setTyping] = useState<Record<string, number>>({});
  const lastTyping = useRef(0);
  const bottom = useRef<HTMLDivElement>(null);

  useEffect(() => {
    void api<{ items: Message[] }>(`/conversations/${conversationId}/messages?limit=50`).then((page) =>
      updateChat((s) => mergeHistory(s, conversationId, page.items)),
    );
  }, [conversationId]);

  useEffect(
    () =>
      subscribe("typing", (f) => {
        if (f.conversation_id !== conversationId || f.user_id === me.id) return;
        const who = String(f.user_id);
        setTyping((t) => {
          const next = { ...t };
          if (f.state === "start") next[who] = Date.now() + Number(f.expires_in_ms ?? 5000);
          else delete next[who];
          return next;
        });
      }),
    [conversationId, me.id],
  );

  useEffect(() => {
    const t = setInterval(() => setTyping((cur) => Object.fromEntries(Object.entries(cur).filter(([, until]) => until > Date.now()))), 1000);
    return () => clearInterval(t);
  }, []);

  const lastSeq = shown.reduce((m, x) => Math.max(m, x.seq ?? 0), 0);
  useEffect(() => {
    bottom.current?.scrollIntoView({ block: "end" });
    if (lastSeq > 0) void api(`/conversations/${conversationId}/read`, { method: "POST", body: { seq: lastSeq } }).catch(() => undefined);
  }, [lastSeq, conversationId, shown.length]);

  const others = (info?.members ?? []).filter((m) => m.user_id !== me.id);
  const name = info?.name ?? others.map((m) => m.full_name || m.username).join(", ");
  const typers = others.filter((m) => typing[m.user_id]).map((m) => m.full_name || m.username);
  // "Seen" for my newest message: the other's read marker (live, else from the list).
  const myLast = [...shown].reverse().find((m) => m.mine && m.seq !== null);
  const readOf = (m: Member) => Math.max(conv?.reads[m.user_id] ?? 0, m.last_read_seq);
  const seenBy = myLast?.seq ? others.filter((m) => readOf(m) >= (myLast.seq ?? 0)) : [];

  function send() {
    const body = draft.trim();
    if (!body) return;
    updateChat((s) => addPending(s, { client_msg_id: crypto.randomUUID(), conversation_id: conversationId, body, reply_to: null, created_at: new Date().toISOString() }));
    setDraft("");
    sendTyping(conversationId, "stop");
    lastTyping.current = 0;
    sendNow();
  }

  function onKey(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      send();
    } else if (Date.now() - lastTyping.current > 2000) {
      lastTyping.current = Date.now();
      sendTyping(conversationId, "start");
    }
  }

  return (
    <>
      <header className="flex items-center gap-2 border-b border-zinc-200 px-3 py-2 dark:border-zinc-800">
        <Button variant="ghost" size="icon" className="sm:hidden" aria-label="Back to conversations" onClick={onBack}>
          <ArrowLeft className="h-4 w-4" />
        </Button>
        <h2 className="truncate font-semibold">{name}</h2>
      </header>
      <ol className="min-h-0 flex-1 space-y-1 overflow-y-auto p-4" aria-label="Messages">
        {shown.map((m) => (
          <li key={m.key} className={cn("flex", m.mine ? "justify-end" : "justify-start")}>
            <div
              className={cn(
                "max-w-[75%] rounded-2xl px-3 py-2 text-sm break-words whitespace-pre-wrap",
                m.mine ? "bg-indigo-600 text-white" : "bg-zinc-100 dark:bg-zinc-800",
                m.status !== "sent" && "opacity-60",
              )}
              data-status={m.status}
            >
              {m.body === null ? <em className="opacity-70">Message deleted</em> : <Linkified text={m.body} />}
              {m.message?.edited_at && m.body !== null && <span className="ml-2 text-xs opacity-70">(edited)</span>}
              {m.status === "failed" && (
                <button
                  className="ml-2 text-xs underline"
                  onClick={() => {
                    updateChat((s) => markRetrying(s, conversationId, m.key));
                    sendNow();
                  }}
                >
                  Not sent — retry
                </button>
              )}
            </div>
          </li>
        ))}
        {seenBy.length > 0 && (
          <li className="text-right text-xs text-zinc-500">{info?.kind === "direct" ? "Seen" : `Seen by ${seenBy.map((m) => m.full_name || m.username).join(", ")}`}</li>
        )}
        <div ref={bottom} />
      </ol>
      <p className="h-5 px-4 text-xs text-zinc-500" aria-live="polite">
        {typers.length > 0 && `${typers.join(", ")} ${typers.length > 1 ? "are" : "is"} typing…`}
      </p>
      <form
        className="flex gap-2 border-t border-zinc-200 p-3 dark:border-zinc-800"
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
      >
        <textarea
          aria-label="Message"
          rows={1}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={onKey}
          placeholder="Write a message"
          className="max-h-40 min-h-9 flex-1 resize-none rounded-md border border-zinc-300 bg-transparent px-3 py-2 text-sm dark:border-zinc-700"
        />
        <Button type="submit">Send</Button>
      </form>
    </>
  );
}
