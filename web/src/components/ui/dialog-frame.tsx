import * as Dialog from "@radix-ui/react-dialog";
import { X } from "lucide-react";
import type { ReactNode } from "react";

import { Button } from "@/components/ui/button";
import { cn } from "@/lib/cn";

/**
 * The app's dialog: overlay, centred panel, a title with a close button, and a
 * description for screen readers. Goes inside a `Dialog.Root` (with its own
 * trigger, or controlled); Esc and a click outside close it (Radix).
 */
export function DialogFrame({
  title,
  description,
  showDescription = false,
  className,
  children,
}: {
  title: string;
  description: string;
  /** Show the description under the title (otherwise only screen readers get it). */
  showDescription?: boolean;
  className?: string;
  children: ReactNode;
}) {
  return (
    <Dialog.Portal>
      <Dialog.Overlay className="fixed inset-0 bg-black/40" />
      <Dialog.Content className={cn("fixed top-1/2 left-1/2 w-[min(28rem,calc(100vw-2rem))] -translate-x-1/2 -translate-y-1/2 rounded-xl bg-white p-5 shadow-xl dark:bg-zinc-900", className)}>
        <div className="flex items-center justify-between">
          <Dialog.Title className="font-semibold">{title}</Dialog.Title>
          <Dialog.Close asChild>
            <Button variant="ghost" size="icon" aria-label="Close">
              <X className="h-4 w-4" />
            </Button>
          </Dialog.Close>
        </div>
        <Dialog.Description className={showDescription ? "text-sm text-zinc-600 dark:text-zinc-400" : "sr-only"}>{description}</Dialog.Description>
        {children}
      </Dialog.Content>
    </Dialog.Portal>
  );
}
