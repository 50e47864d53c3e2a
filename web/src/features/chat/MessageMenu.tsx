import * as Menu from "@radix-ui/react-dropdown-menu";
import { MoreHorizontal } from "lucide-react";

import { EmojiGrid } from "@/components/EmojiPicker";
import type { Shown } from "@/lib/chat-state";
import { emojiName, QUICK_REACTIONS } from "@/lib/emoji";

import type { Actions } from "./MessageList";

/** A message's actions behind "…": on hover with a mouse, always shown where
 * there is no hover (touch screens, phone widths); a long press on the message
 * opens it too (`open` is held by the list, one menu at a time). */
export function MessageMenu({ m, canModerate, actions, open, onOpenChange }: { m: Shown; canModerate: boolean; actions: Actions; open: boolean; onOpenChange: (open: boolean) => void }) {
  const deleted = m.body === null;
  return (
    // Not modal: a modal menu hides the page with aria-hidden while its controls
    // stay focusable (axe: aria-hidden-focus); focus stays in the menu either way.
    <Menu.Root open={open} onOpenChange={onOpenChange} modal={false}>
      <Menu.Trigger
        className="rounded p-1 text-zinc-600 opacity-0 group-hover:opacity-100 focus:opacity-100 max-sm:opacity-100 pointer-coarse:opacity-100 dark:text-zinc-400"
        aria-label="Message actions"
      >
        <MoreHorizontal className="h-4 w-4" />
      </Menu.Trigger>
      <Menu.Portal>
        <Menu.Content className="z-10 min-w-32 rounded-md border border-zinc-200 bg-white p-1 text-sm shadow-lg dark:border-zinc-800 dark:bg-zinc-900">
          {!deleted && !m.message?.system && (
            <>
              <Menu.Group aria-label="React" className="flex gap-0.5 pb-1">
                {QUICK_REACTIONS.map((e) => (
                  <Menu.Item
                    key={e}
                    aria-label={`React ${emojiName(e)}`}
                    title={emojiName(e)}
                    onSelect={() => actions.react(m, e)}
                    className="grid h-8 w-8 cursor-default place-items-center rounded text-lg outline-none data-[highlighted]:bg-zinc-100 dark:data-[highlighted]:bg-zinc-800"
                  >
                    {e}
                  </Menu.Item>
                ))}
              </Menu.Group>
              <Menu.Sub>
                <Menu.SubTrigger className="cursor-default rounded px-3 py-2 outline-none data-[highlighted]:bg-zinc-100 sm:px-2 sm:py-1.5 dark:data-[highlighted]:bg-zinc-800">
                  More reactions…
                </Menu.SubTrigger>
                <Menu.Portal>
                  <Menu.SubContent aria-label="Emoji" className="z-20 rounded-md border border-zinc-200 bg-white shadow-lg dark:border-zinc-800 dark:bg-zinc-900">
                    <EmojiGrid onPick={(e) => actions.react(m, e)} />
                  </Menu.SubContent>
                </Menu.Portal>
              </Menu.Sub>
            </>
          )}
          {!deleted && <Item onSelect={() => actions.reply(m)}>Reply</Item>}
          {!deleted && m.mine && <Item onSelect={() => actions.edit(m)}>Edit</Item>}
          {!deleted && (m.mine || canModerate) && <Item onSelect={() => actions.remove(m)}>Delete</Item>}
          {deleted && (m.mine || canModerate) && <Item onSelect={() => actions.restore(m)}>Restore</Item>}
        </Menu.Content>
      </Menu.Portal>
    </Menu.Root>
  );
}

function Item({ children, onSelect }: { children: string; onSelect: () => void }) {
  return (
    <Menu.Item onSelect={onSelect} className="cursor-default rounded px-3 py-2 outline-none data-[highlighted]:bg-zinc-100 sm:px-2 sm:py-1.5 dark:data-[highlighted]:bg-zinc-800">
      {children}
    </Menu.Item>
  );
}
