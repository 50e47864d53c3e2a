// "Show me this message": a search hit asks, the conversation view (open now or
// opening) takes the request and scrolls there, loading older history if needed.

import { useSyncExternalStore } from "react";

export type JumpRequest = { conversationId: string; seq: number; at: number };

let pending: JumpRequest | null = null;
const listeners = new Set<() => void>();

export function requestJump(conversationId: string, seq: number): void {
  pending = { conversationId, seq, at: Date.now() };
  for (const l of listeners) l();
}

/** The request for `conversationId`, taken (answered once). */
export function takeJump(conversationId: string): JumpRequest | null {
  if (pending?.conversationId !== conversationId) return null;
  const r = pending;
  pending = null;
  return r;
}

/** The latest request (a new object for each), for a view to react to. */
export function useJumpRequest(): JumpRequest | null {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => pending,
  );
}
