// Signed URLs for files and pictures (`POST /files/urls`, `POST /avatars/urls`).
// Components ask per id; the ids asked for within a few milliseconds go out as
// one request (a page of history or a member list is one request, not one per
// message or per person), and each URL is cached for less than its lifetime.

import { useQueries } from "@tanstack/react-query";

import { api } from "./api";

export type FileUrls = { id: string; url: string; thumb_url?: string; expires_at: number };
export type UrlKind = "files" | "avatars";

type Waiter = { id: string; resolve: (u: FileUrls | null) => void; reject: (e: unknown) => void };
const waiting: Record<UrlKind, Waiter[]> = { files: [], avatars: [] };
/** The server takes at most this many ids at once. */
const MAX_IDS = 100;

function flush(kind: UrlKind): void {
  const batch = waiting[kind].splice(0, MAX_IDS);
  if (waiting[kind].length > 0) setTimeout(() => flush(kind), 0);
  const ids = [...new Set(batch.map((w) => w.id))];
  api<FileUrls[]>(`/${kind}/urls`, { method: "POST", body: { ids } }).then(
    (urls) => {
      const by = new Map(urls.map((u) => [u.id, u]));
      for (const w of batch) w.resolve(by.get(w.id) ?? null);
    },
    (e) => batch.forEach((w) => w.reject(e)),
  );
}

/** The URLs of one file or picture; null when the caller may not read it. */
export function signedUrl(kind: UrlKind, id: string): Promise<FileUrls | null> {
  return new Promise((resolve, reject) => {
    waiting[kind].push({ id, resolve, reject });
    if (waiting[kind].length === 1) setTimeout(() => flush(kind), 10);
  });
}

/** URLs by id for the ids given (those not yet known, or not readable, absent).
 * Asked again after 45 minutes: a URL lives one to two hours. */
export function useSignedUrls(kind: UrlKind, ids: string[]): Record<string, FileUrls> {
  return useQueries({
    queries: ids.map((id) => ({
      queryKey: ["signed-url", kind, id],
      queryFn: () => signedUrl(kind, id),
      staleTime: 45 * 60_000,
      gcTime: 50 * 60_000,
      refetchInterval: 45 * 60_000,
    })),
    combine: (results) => {
      const out: Record<string, FileUrls> = {};
      for (const r of results) if (r.data) out[r.data.id] = r.data;
      return out;
    },
  });
}
