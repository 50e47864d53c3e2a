import { FileText, RotateCw, X } from "lucide-react";

import type { PendingFile } from "@/lib/chat-state";
import { useSignedUrls, type FileUrls } from "@/lib/signed-urls";
import type { Attachment } from "@/lib/types";

/** Largest box a thumbnail is shown in, CSS pixels. */
const BOX = 240;

/** Signed URLs for some files (batched and cached: lib/signed-urls.ts). */
export function useFileUrls(ids: string[]): Record<string, FileUrls> {
  return useSignedUrls("files", ids);
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The box an image is shown in: its own shape, at most BOX on either side, so
 * the space is kept before the picture arrives (nothing below it jumps). */
export function fit(a: { width?: number; height?: number }): { width: number; height: number } {
  const w = a.width ?? BOX;
  const h = a.height ?? BOX;
  const scale = Math.min(1, BOX / w, BOX / h);
  return { width: Math.max(1, Math.round(w * scale)), height: Math.max(1, Math.round(h * scale)) };
}

/** The files of a sent message: images as thumbnails (opened in the viewer),
 * other files as cards with their name and size, to download. */
export function Attachments({ items, onOpen }: { items: Attachment[]; onOpen: (a: Attachment) => void }) {
  const urls = useFileUrls(items.map((a) => a.id));
  return (
    <div className="mb-1 flex flex-wrap gap-1">
      {items.map((a) =>
        a.kind === "image" ? (
          <button key={a.id} type="button" className="overflow-hidden rounded-lg bg-zinc-200 dark:bg-zinc-700" style={fit(a)} onClick={() => onOpen(a)} aria-label={`Open image ${a.name}`}>
            {urls[a.id]?.thumb_url && <img src={urls[a.id]?.thumb_url} alt={a.name} {...fit(a)} className="h-full w-full object-cover" loading="lazy" />}
          </button>
        ) : (
          <a
            key={a.id}
            href={urls[a.id]?.url}
            download={a.name}
            className="flex max-w-64 items-center gap-2 rounded-lg border border-current/20 px-2 py-1.5 no-underline"
            aria-label={`Download ${a.name}, ${formatSize(a.size)}`}
          >
            <FileText className="h-6 w-6 shrink-0" aria-hidden />
            <span className="min-w-0">
              <span className="block truncate text-sm font-medium">{a.name}</span>
              <span className="block text-xs opacity-70">{formatSize(a.size)}</span>
            </span>
          </a>
        ),
      )}
    </div>
  );
}

/** The files of a message being sent, with a progress bar each and a cancel. */
export function PendingFiles({ files, onCancel, onRetry }: { files: PendingFile[]; onCancel: (key: string) => void; onRetry: () => void }) {
  return (
    <div className="mb-1 flex flex-wrap gap-1">
      {files.map((f) => {
        const pct = f.id ? 100 : Math.floor((100 * f.loaded) / Math.max(1, f.size));
        return (
          <div key={f.key} className="relative w-40 rounded-lg border border-current/20 p-1.5 text-xs">
            {f.preview ? <img src={f.preview} alt={f.name} className="mb-1 h-20 w-full rounded object-cover" /> : <FileText className="mb-1 h-6 w-6" aria-hidden />}
            <div className="truncate">{f.name}</div>
            <div
              role="progressbar"
              aria-label={`Uploading ${f.name}`}
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={pct}
              className="mt-1 h-1.5 overflow-hidden rounded bg-current/20"
            >
              <div className={f.error ? "h-full bg-red-500" : "h-full bg-current"} style={{ width: `${pct}%` }} />
            </div>
            <div className="mt-0.5 flex items-center justify-between opacity-80">
              <span>{f.error ? "Failed" : f.id ? "Uploaded" : `${formatSize(f.loaded)} of ${formatSize(f.size)}`}</span>
              <span className="flex gap-1">
                {f.error && (
                  <button type="button" aria-label={`Retry ${f.name}`} onClick={onRetry}>
                    <RotateCw className="h-3 w-3" />
                  </button>
                )}
                {!f.id && (
                  <button type="button" aria-label={`Cancel ${f.name}`} onClick={() => onCancel(f.key)}>
                    <X className="h-3 w-3" />
                  </button>
                )}
              </span>
            </div>
          </div>
        );
      })}
    </div>
  );
}
