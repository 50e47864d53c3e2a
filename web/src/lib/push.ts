import { api } from "@/lib/api";

/** What this browser can do about web push, and whether it is on. */
export type PushState = "unsupported" | "denied" | "off" | "on";

export type Device = { id: string; user_agent: string; created_at: string; current: boolean };

const supported = () => typeof navigator !== "undefined" && "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;

/** base64url -> bytes, for `applicationServerKey`. */
export function keyBytes(b64url: string): Uint8Array {
  const b64 = b64url.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (b64url.length % 4)) % 4);
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

async function registration(): Promise<ServiceWorkerRegistration> {
  await navigator.serviceWorker.register("/sw.js");
  return navigator.serviceWorker.ready;
}

export async function pushState(): Promise<PushState> {
  if (!supported()) return "unsupported";
  if (Notification.permission === "denied") return "denied";
  const reg = await navigator.serviceWorker.getRegistration("/");
  const sub = await reg?.pushManager.getSubscription();
  return sub && Notification.permission === "granted" ? "on" : "off";
}

/** Asks for permission, subscribes this browser and tells the server. */
export async function enablePush(): Promise<PushState> {
  if (!supported()) return "unsupported";
  if ((await Notification.requestPermission()) !== "granted") return "denied";
  const reg = await registration();
  const { public_key } = await api<{ public_key: string }>("/push/key");
  const sub = (await reg.pushManager.getSubscription()) ?? (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(public_key) as BufferSource }));
  await api("/push/subscriptions", { method: "POST", body: sub.toJSON() });
  return "on";
}

/** Unsubscribes this browser (the server forgets it when `id` is given). */
export async function disablePush(id?: string): Promise<PushState> {
  const reg = await navigator.serviceWorker.getRegistration("/");
  await (await reg?.pushManager.getSubscription())?.unsubscribe();
  if (id) await api(`/push/subscriptions/${id}`, { method: "DELETE" });
  return "off";
}

/** Tells the service worker a conversation was read: its notifications go. */
export function readOnThisDevice(conversation: string): void {
  if (!supported()) return;
  void navigator.serviceWorker.getRegistration("/").then((reg) => reg?.active?.postMessage({ type: "read", conversation }));
}

/** Where a notification click or a pushed link asks the app to go. */
export function target(url: string): { conversation: string } | { page: "friends" } | null {
  const q = new URL(url, "http://x").searchParams;
  const c = q.get("conversation");
  if (c) return { conversation: c };
  if (q.get("page") === "friends") return { page: "friends" };
  return null;
}
