import * as Dialog from "@radix-ui/react-dialog";
import { useInfiniteQuery } from "@tanstack/react-query";
import { Images, X } from "lucide-react";
import { useRef, useState } from "react";

import { Button } from "@/components/ui/button";
import { api } from "@/lib/api";
import type { Attachment } from "@/lib/types";

import { Attachments, useFileUrls } from "./Attachments";
import { ImageViewer } from "./ImageViewer";

type Item = { message_id: string; seq: number; sender_id: string; created_at: string; attachment: Attachment };
type Page = { items: Item[]; next_before_seq: number | null };

/** A conversation's pictures and files, newest first, a page at a time. */
export function Gallery({ conversationId }: { conversationId: string }) {
  const [kind, setKind] = useState<"image" | "file">("image");
  const [open, setOpen] = useState(false);
  const [viewing, setViewing] = useState<number | null>(null);
  // Esc while the viewer is open closes the viewer only. Both dialogs listen for
  // Esc on the document, and the gallery was sometimes taken for the top layer
  // (its listener ran with the viewer open, or after the viewer's had closed it):
  // both closed, 1 browser run in 6. So the gallery closes the viewer itself,
  // and leaves alone the Esc the viewer already took.
  const viewerEscape = useRef<KeyboardEvent | null>(null);
  const pages = useInfiniteQuery({
    queryKey: ["gallery", conversationId, kind],
    queryFn: ({ pageParam }) => api<Page>(`/conversations/${conversationId}/files?kind=${kind}&limit=30${pageParam ? `&before_seq=${pageParam}` : ""}`),
    initialPageParam: 0,
    getNextPageParam: (last) => last.next_before_seq ?? undefined,
    enabled: open,
  });
  const items = (pages.data?.pages ?? []).flatMap((p) => p.items.map((i) => i.attachment));
  const urls = useFileUrls(kind === "image" ? items.map((a) => a.id) : []);
  return (
    <Dialog.Root open={open} onOpenChange={setOpen}>
      <Dialog.Trigger asChild>
        <Button size="icon" variant="ghost" aria-label="Pictures and files">
          <Images className="h-4 w-4" />
        </Button>
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-20 bg-black/40" />
        <Dialog.Content
          aria-describedby={undefined}
          onEscapeKeyDown={(e) => {
            if (viewing !== null || viewerEscape.current === e) {
              e.preventDefault();
              setViewing(null);
            }
          }}
          className="fixed top-1/2 left-1/2 z-30 flex max-h-[85vh] w-[min(36rem,95vw)] -translate-x-1/2 -translate-y-1/2 flex-col gap-3 rounded-lg bg-white p-4 shadow-xl dark:bg-zinc-900"
        >
          <div className="flex items-center gap-2">
            <Dialog.Title className="flex-1 font-semibold">Pictures and files</Dialog.Title>
            <Dialog.Close aria-label="Close">
              <X className="h-4 w-4" />
            </Dialog.Close>
          </div>
          <div className="flex gap-1" role="tablist">
            {(["image", "file"] as const).map((k) => (
              <Button key={k} size="sm" role="tab" aria-selected={kind === k} variant={kind === k ? "default" : "ghost"} onClick={() => setKind(k)}>
                {k === "image" ? "Pictures" : "Files"}
              </Button>
            ))}
          </div>
          <div className="min-h-24 overflow-y-auto">
            {pages.isSuccess && items.length === 0 && <p className="text-sm text-zinc-600 dark:text-zinc-400">{kind === "image" ? "No pictures yet." : "No files yet."}</p>}
            {kind === "image" ? (
              <ul className="grid grid-cols-3 gap-1 sm:grid-cols-4" aria-label="Pictures">
                {items.map((a, i) => (
                  <li key={a.id}>
                    <button type="button" className="block aspect-square w-full overflow-hidden rounded bg-zinc-200 dark:bg-zinc-800" aria-label={`Open image ${a.name}`} onClick={() => setViewing(i)}>
                      {urls[a.id]?.thumb_url && <img src={urls[a.id]?.thumb_url} alt={a.name} className="h-full w-full object-cover" loading="lazy" />}
                    </button>
                  </li>
                ))}
              </ul>
            ) : (
              <Attachments items={items} onOpen={() => undefined} />
            )}
            {pages.hasNextPage && (
              <Button size="sm" variant="ghost" className="mt-2" disabled={pages.isFetchingNextPage} onClick={() => void pages.fetchNextPage()}>
                Load more
              </Button>
            )}
          </div>
          <ImageViewer images={kind === "image" ? items : []} index={viewing} onIndex={setViewing} onClose={() => setViewing(null)} onEscape={(e) => (viewerEscape.current = e)} />
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
