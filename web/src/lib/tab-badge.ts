// Unread at a glance from another tab: the count in the title and a badge on the
// favicon (browsers show both on the tab), drawn as SVG so no file is needed per
// number.

import { useEffect } from "react";

const BASE = "Confab";

export function badgeTitle(unread: number): string {
  return unread > 0 ? `(${unread > 99 ? "99+" : unread}) ${BASE}` : BASE;
}

/** The favicon with a red badge holding the count (none for 0). */
export function faviconSvg(unread: number): string {
  const mark = '<rect width="32" height="32" rx="8" fill="#4f46e5"/><path d="M9 11h14v8H14l-5 4z" fill="#fff"/>';
  const text = unread > 9 ? "9+" : String(unread);
  const badge =
    unread > 0
      ? `<circle cx="23" cy="9" r="9" fill="#dc2626"/><text x="23" y="13" font-family="sans-serif" font-size="${text.length > 1 ? 10 : 12}" font-weight="700" text-anchor="middle" fill="#fff">${text}</text>`
      : "";
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">${mark}${badge}</svg>`;
}

/** Keeps the tab's title and favicon in step with the unread total. */
export function useTabBadge(unread: number): void {
  useEffect(() => {
    document.title = badgeTitle(unread);
    const link = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
    if (link) link.href = unread > 0 ? `data:image/svg+xml,${encodeURIComponent(faviconSvg(unread))}` : "/favicon.svg";
  }, [unread]);
}
