// Browser notifications (Notification API) for new messages and requests, only
// while the tab is hidden and only after the user agreed to be asked; and the
// new-message chime (lib/sound.ts), under the same conditions.

import { attachmentsText } from "./attachment-text";
import { subscribe } from "./live";
import { plainText } from "./markdown";
import { chime, shouldChime, soundWanted } from "./sound";
import type { Attachment } from "./types";

const KEY = "confab.notify";

export function notificationsWanted(): boolean {
  return typeof Notification !== "undefined" && Notification.permission === "granted" && localStorage.getItem(KEY) === "on";
}

/** Asks the browser for permission; remembers the user's choice. */
export async function enableBrowserNotifications(): Promise<boolean> {
  if (typeof Notification === "undefined") return false;
  const granted = (await Notification.requestPermission()) === "granted";
  localStorage.setItem(KEY, granted ? "on" : "off");
  return granted;
}

/** What the app tells the notifier: names it knows, and where a click leads. */
export type Notifier = {
  /** The sender's display name in a conversation, when the app has it. */
  nameOf: (conversationId: string, userId: string) => string | undefined;
  /** Whether the user muted the conversation (then nothing is shown). */
  muted: (conversationId: string) => boolean;
  open: (target: { conversation: string } | { page: "friends" }) => void;
};

export function startBrowserNotifications(me: string, app: Notifier): () => void {
  const show = (title: string, body: string, onClick: () => void) => {
    if (!document.hidden || !notificationsWanted()) return;
    const n = new Notification(title, { body, tag: "confab" });
    n.onclick = () => {
      window.focus();
      onClick();
      n.close();
    };
  };
  const offMessages = subscribe("message.new", (f) => {
    const m = f.message as { sender_id: string; conversation_id: string; body: string | null; attachments?: Attachment[] } | undefined;
    const text = m?.body || attachmentsText(m?.attachments);
    if (m && shouldChime({ wanted: soundWanted(), hidden: document.hidden, mine: m.sender_id === me, muted: app.muted(m.conversation_id) })) chime();
    if (!m || m.sender_id === me || !text || app.muted(m.conversation_id)) return;
    const firstLine = plainText(text.split("\n")[0] ?? "").slice(0, 120);
    show(app.nameOf(m.conversation_id, m.sender_id) ?? "New message", firstLine, () => app.open({ conversation: m.conversation_id }));
  });
  const offNotices = subscribe("notification.new", (f) => {
    const n = f.notification as { kind: string; actor?: { username: string; full_name?: string } } | undefined;
    const who = n?.actor?.full_name || `@${n?.actor?.username ?? "someone"}`;
    if (n?.kind === "friend_request") show("Friend request", `${who} wants to be friends`, () => app.open({ page: "friends" }));
  });
  return () => {
    offMessages();
    offNotices();
  };
}
