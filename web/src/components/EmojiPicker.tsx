import * as Menu from "@radix-ui/react-dropdown-menu";
import type { ReactNode } from "react";

import { EMOJI } from "@/lib/emoji";

/** The emoji grid of a picker, as menu items (arrow keys move, Enter picks, Esc
 * closes). Used in a menu of its own (the composer) or as a submenu (a message's
 * "More reactions"). */
export function EmojiGrid({ onPick }: { onPick: (emoji: string) => void }) {
  return (
    <div className="max-h-72 w-72 overflow-y-auto p-1">
      {EMOJI.map((g) => (
        <div key={g.group} role="group" aria-label={g.group}>
          <div className="px-1 pt-1 text-xs text-zinc-600 dark:text-zinc-400" aria-hidden>
            {g.group}
          </div>
          <div className="grid grid-cols-8">
            {g.items.map((e) => (
              <Menu.Item
                key={e.emoji}
                aria-label={e.name}
                title={e.name}
                onSelect={() => onPick(e.emoji)}
                className="grid h-8 cursor-default place-items-center rounded text-lg outline-none data-[highlighted]:bg-zinc-100 dark:data-[highlighted]:bg-zinc-800"
              >
                {e.emoji}
              </Menu.Item>
            ))}
          </div>
        </div>
      ))}
    </div>
  );
}

/** A button that opens the emoji grid; `onPick` gets the chosen emoji. */
export function EmojiPicker({ label, children, onPick, disabled }: { label: string; children: ReactNode; onPick: (emoji: string) => void; disabled?: boolean }) {
  return (
    <Menu.Root modal={false}>
      <Menu.Trigger
        aria-label={label}
        title={label}
        disabled={disabled}
        className="inline-flex h-9 w-9 items-center justify-center rounded-md text-zinc-700 hover:bg-zinc-100 disabled:opacity-50 dark:text-zinc-300 dark:hover:bg-zinc-800"
      >
        {children}
      </Menu.Trigger>
      <Menu.Portal>
        <Menu.Content aria-label="Emoji" sideOffset={4} className="z-20 rounded-md border border-zinc-200 bg-white shadow-lg dark:border-zinc-800 dark:bg-zinc-900">
          <EmojiGrid onPick={onPick} />
        </Menu.Content>
      </Menu.Portal>
    </Menu.Root>
  );
}
