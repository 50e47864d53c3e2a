// Confab's service worker: shows web pushes while no tab is open, and opens
// the conversation a notification is about. Pushes carry only what the
// notification shows (who and where; the text only if the server allows it).

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  let p = {};
  try {
    p = event.data ? event.data.json() : {};
  } catch {
    p = {};
  }
  const title = p.title || "Confab";
  event.waitUntil(
    self.registration.showNotification(title, {
      body: p.body || "Something new is waiting",
      tag: p.tag || "confab",
      icon: "/favicon.svg",
      data: { url: p.url || "/", conversation: p.conversation_id || null },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = event.notification.data?.url || "/";
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((tabs) => {
      const tab = tabs.find((t) => "focus" in t);
      if (tab) {
        tab.postMessage({ type: "open", url });
        return tab.focus();
      }
      return self.clients.openWindow(url);
    }),
  );
});

// A tab read a conversation: its notifications on this device go.
self.addEventListener("message", (event) => {
  if (event.data?.type !== "read" || !event.data.conversation) return;
  event.waitUntil(
    self.registration.getNotifications({ tag: event.data.conversation }).then((list) => list.forEach((n) => n.close())),
  );
});
