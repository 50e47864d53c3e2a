/** Keyboard shortcuts: what the sheet lists, and the pure parts of handling them. */

import type { Shown } from "./chat-state";

export const SHORTCUTS: [keys: string, what: string][] = [
  ["Enter", "Send the message"],
  ["Shift + Enter", "New line in the message"],
  ["↑ (empty message box)", "Edit your last message"],
  ["Esc", "Cancel editing or replying; close a dialog"],
  ["Ctrl + K  /  ⌘ K", "Jump to a conversation or person"],
  ["?", "Show these shortcuts"],
];

/** Whether a key press lands in something the person is typing into. */
export function typingIn(target: EventTarget | null): boolean {
  if (!target || typeof (target as Element).closest !== "function") return false;
  return !!(target as Element).closest("input, textarea, select, [contenteditable=''], [contenteditable='true']");
}

/** The message ↑ edits: your latest stored text message that is not deleted. */
export function lastEditable(shown: Shown[]): Shown | undefined {
  for (let i = shown.length - 1; i >= 0; i--) {
    const m = shown[i];
    if (m && m.mine && m.status === "sent" && m.message && m.message.kind === "text" && m.message.deleted_at === null) return m;
  }
  return undefined;
}
