// One shared chat state for the app, updated by the pure functions of chat-state
// and read by components through useChat.

import { useSyncExternalStore } from "react";

import { initialState, type ChatState } from "./chat-state";

let state: ChatState = initialState("");
const listeners = new Set<() => void>();

export function getChat(): ChatState {
  return state;
}

export function updateChat(f: (s: ChatState) => ChatState): void {
  const next = f(state);
  if (next !== state) {
    state = next;
    for (const l of listeners) l();
  }
}

export function resetChat(me: string): void {
  updateChat(() => initialState(me));
}

export function useChat<T>(select: (s: ChatState) => T): T {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => select(state),
  );
}
