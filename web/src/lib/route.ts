// Addresses for the app's screens, so that reload keeps the open chat and the
// browser's (and a phone's) back button goes back: `/` the chats, `/c/ID` one
// conversation, `/friends`, `/profile`, `/admin`. Links made by the server for
// notifications and mail (`/?conversation=ID`, `/?page=friends`) still work and
// are rewritten to the address they mean.

import { useSyncExternalStore } from "react";

export type Page = "friends" | "profile" | "admin";
export type Route = { view: "chats"; conversation: string | null } | { view: Page };

const PAGES: readonly string[] = ["friends", "profile", "admin"];
/** Conversation ids are UUIDs; anything else in an address is not one. */
const ID = /^[0-9a-fA-F-]{1,64}$/;

export function parseRoute(pathname: string, search = ""): Route {
  const q = new URLSearchParams(search);
  const legacy = q.get("conversation");
  if (legacy && ID.test(legacy)) return { view: "chats", conversation: legacy };
  const page = q.get("page");
  if (page && PAGES.includes(page)) return { view: page as Page };
  const [first, second] = pathname.split("/").filter(Boolean);
  if (first === "c" && second && ID.test(second)) return { view: "chats", conversation: second };
  if (first && PAGES.includes(first) && !second) return { view: first as Page };
  return { view: "chats", conversation: null };
}

export function routePath(r: Route): string {
  if (r.view !== "chats") return `/${r.view}`;
  return r.conversation ? `/c/${r.conversation}` : "/";
}

export const sameRoute = (a: Route, b: Route) => routePath(a) === routePath(b);

// The current route, kept as one object until the address changes, so React sees
// a stable value between renders.
// (No `location` outside a browser: the pure functions above are tested in Node.)
const here = (): Route => (typeof location === "undefined" ? { view: "chats", conversation: null } : parseRoute(location.pathname, location.search));
let current: Route = here();
const listeners = new Set<() => void>();

function changed() {
  const next = here();
  if (sameRoute(next, current)) return;
  current = next;
  for (const l of listeners) l();
}

if (typeof window !== "undefined") window.addEventListener("popstate", changed);

/** Goes to `r`: a new history entry unless `replace` (a correction, not a step
 * the back button should return to). */
export function navigate(r: Route, { replace = false } = {}): void {
  const path = routePath(r);
  if (location.pathname + location.search === path) return;
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  changed();
}

/** A legacy or unknown address becomes the canonical one, in place. */
export function canonicalize(): void {
  const path = routePath(current);
  if (location.pathname + location.search !== path) history.replaceState(null, "", path + location.hash);
}

export function useRoute(): Route {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => current,
  );
}
