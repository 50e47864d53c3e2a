import * as Dialog from "@radix-ui/react-dialog";
import { useEffect } from "react";
import { ChevronLeft, ChevronRight, Download, X } from "lucide-react";

import type { Attachment } from "@/lib/types";

import { formatSize, useFileUrls } from "./Attachments";

/** The conversation's images full size, one at a time: arrows (buttons or keys)
 * go through them, Esc closes. */
export function ImageViewer({
  images,
  index,
  onIndex,
  onClose,
  onEscape,
}: {
  images: Attachment[];
  index: number | null;
  onIndex: (i: number) => void;
  onClose: () => void;
  /** The Esc that closes the viewer, for a dialog underneath to leave alone. */
  onEscape?: (e: KeyboardEvent) => void;
}) {
  const current = index === null ? undefined : images[index];
  const urls = useFileUrls(current ? [current.id] : []);
  const url = current ? urls[current.id]?.url : undefined;
  const go = (step: number) => {
    if (index === null) return;
    const next = index + step;
    if (next >= 0 && next < images.length) onIndex(next);
  };
  // On the window, not the dialog: the keys must work wherever focus is, even
  // after the focused control changed with the picture.
  useEffect(() => {
    if (index === null) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "ArrowLeft" && index > 0) onIndex(index - 1);
      if (e.key === "ArrowRight" && index < images.length - 1) onIndex(index + 1);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [index, images.length, onIndex]);
  return (
    <Dialog.Root open={current !== undefined} onOpenChange={(open) => !open && onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-black/85" />
        <Dialog.Content
          onEscapeKeyDown={onEscape}
          className="fixed inset-0 z-50 flex flex-col items-center justify-center gap-2 p-4 text-white outline-none"
          aria-describedby={undefined}
        >
          <Dialog.Title className="max-w-[90vw] truncate text-sm">
            {current && index !== null ? `${current.name} · ${formatSize(current.size)} · ${index + 1} of ${images.length}` : ""}
          </Dialog.Title>
          {current && (
            <img
              src={url}
              alt={current.name}
              width={current.width}
              height={current.height}
              className="max-h-[80vh] max-w-[90vw] bg-zinc-800 object-contain"
              style={{ aspectRatio: `${current.width ?? 1} / ${current.height ?? 1}`, height: "auto" }}
            />
          )}
          <div className="flex gap-2">
            <button type="button" className="rounded-full bg-white/15 p-2 disabled:opacity-30" aria-label="Previous image" disabled={!index} onClick={() => go(-1)}>
              <ChevronLeft className="h-5 w-5" />
            </button>
            <a className="rounded-full bg-white/15 p-2" href={url} download={current?.name} aria-label="Download image">
              <Download className="h-5 w-5" />
            </a>
            <button type="button" className="rounded-full bg-white/15 p-2 disabled:opacity-30" aria-label="Next image" disabled={index === null || index >= images.length - 1} onClick={() => go(1)}>
              <ChevronRight className="h-5 w-5" />
            </button>
            <Dialog.Close className="rounded-full bg-white/15 p-2" aria-label="Close viewer">
              <X className="h-5 w-5" />
            </Dialog.Close>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
