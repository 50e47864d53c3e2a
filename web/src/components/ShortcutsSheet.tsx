import * as Dialog from "@radix-ui/react-dialog";

import { DialogFrame } from "@/components/ui/dialog-frame";
import { SHORTCUTS } from "@/lib/shortcuts";

/** The keyboard shortcuts, opened with `?` or the keyboard button; Esc closes it. */
export function ShortcutsSheet({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  return (
    <Dialog.Root open={open} onOpenChange={onOpenChange}>
      <DialogFrame title="Keyboard shortcuts" description="Keys that work anywhere in Confab, and in the message box.">
        <dl className="mt-3 grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
          {SHORTCUTS.map(([keys, what]) => (
            <div key={keys} className="contents">
              <dt>
                <kbd className="rounded border border-zinc-300 px-1.5 py-0.5 font-mono text-xs dark:border-zinc-700">{keys}</kbd>
              </dt>
              <dd className="text-zinc-700 dark:text-zinc-300">{what}</dd>
            </div>
          ))}
        </dl>
      </DialogFrame>
    </Dialog.Root>
  );
}
