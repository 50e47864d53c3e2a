// Who is typing where, from the stream's ephemeral `typing` events; entries lapse
// on their own after `expires_in_ms`.

import { useSyncExternalStore } from "react";

import { subscribe } from "./live";

type Typing = Record<string, Record<string, number>>; // conversation -> user -> until (ms)
let typing: Typing = {};
const listeners = new Set<() => void>();
const emit = () => listeners.forEach((l) => l());

export function startTypingFeed(me: string): () => void {
  const off = subscribe("typing", (f) => {
    const c = String(f.conversation_id);
    const u = String(f.user_id);
    if (u === me) return;
    const next = { ...(typing[c] ?? {}) };
    if (f.state === "start") next[u] = Date.now() + Number(f.expires_in_ms ?? 5000);
    else delete next[u];
    typing = { ...typing, [c]: next };
    emit();
  });
  const tick = setInterval(() => {
    const now = Date.now();
    let changed = false;
    const next: Typing = {};
    for (const [c, users] of Object.entries(typing)) {
      const live = Object.entries(users).filter(([, until]) => until > now);
      if (live.length !== Object.keys(users).length) changed = true;
      next[c] = Object.fromEntries(live);
    }
    if (changed) {
      typing = next;
      emit();
    }
  }, 1000);
  return () => {
    off();
    clearInterval(tick);
    typing = {};
  };
}

/** Ids of users typing in a conversation. */
export function useTyping(conversationId: string): string[] {
  const users = useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => typing[conversationId],
  );
  return Object.keys(users ?? {});
}
