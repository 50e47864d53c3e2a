import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";

import { Button } from "@/components/ui/button";
import { api, type Me } from "@/lib/api";
import { addPending, markRetrying, mergeHistory, visible } from "@/lib/chat-state";
import { cn } from "@/lib/cn";
import { sendNow } from "@/lib/live";
import { updateChat, useChat } from "@/lib/store";
import type { Message } from "@/lib/types";

import { Linkified } from "./Linkified";

export function ChatView({ me, conversationId }: { me: Me; conversationId: string }) {
  const conv = useChat((s) => s.conversations[conversationId]);
  const shown = useMemo(() => visible({ me: me.id, conversations: conv ? { [conversationId]: conv } : {} }, conversationId), [conv, conversationId, me.id]);
  const [draft, setDraft] = useState("");
  const bottom = useRef<HTMLDivElement>(null);

  useEffect(() => {
    void api<{ items: Message[] }>(`/conversations/${conversationId}/messages?limit=50`).then((page) =>
      updateChat((s) => mergeHistory(s, conversationId, page.items)),
    );
  }, [conversationId]);

  const lastSeq = shown.reduce((m, x) => Math.max(m, x.seq ?? 0), 0);
  useEffect(() => {
    bottom.current?.scrollIntoView({ block: "end" });
    if (lastSeq > 0) void api(`/conversations/${conversationId}/read`, { method: "POST", body: { seq: lastSeq } }).catch(() => undefined);
  }, [lastSeq, conversationId, shown.length]);

  function send() {
    const body = draft.trim();
    if (!body) return;
    updateChat((s) => addPending(s, { client_msg_id: crypto.randomUUID(), conversation_id: conversationId, body, reply_to: null, created_at: new Date().toISOString() }));
    setDraft("");
    sendNow();
  }

  function onKey(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      send();
    }
  }

  return (
    <>
      <ol className="min-h-0 flex-1 space-y-1 overflow-y-auto p-4" aria-label="Messages">
        {shown.map((m) => (
          <li key={m.key} className={cn("flex", m.mine ? "justify-end" : "justify-start")}>
            <div
              className={cn(
                "max-w-[75%] rounded-2xl px-3 py-2 text-sm whitespace-pre-wrap break-words",
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
        <div ref={bottom} />
      </ol>
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
