// Browser notifications (Notification API) for new messages and requests, only
// while the tab is hidden and only after the user agreed to be asked.

import { subscribe } from "./live";

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

export function startBrowserNotifications(me: string): () => void {
  const show = (title: string, body: string) => {
    if (document.hidden && notificationsWanted()) new Notification(title, { body, tag: "confab" });
  };
  const offMessages = subscribe("message.new", (f) => {
    const m = f.message as { sender_id: string; body: string | null } | undefined;
    if (m && m.sender_id !== me && m.body) show("New message", m.body.slice(0, 120));
  });
  const offNotices = subscribe("notification.new", (f) => {
    const n = f.notification as { kind: string; actor?: { username: string } } | undefined;
    if (n?.kind === "friend_request") show("Friend request", `@${n.actor?.username ?? "someone"} wants to be friends`);
  });
  return () => {
    offMessages();
    offNotices();
  };
}
