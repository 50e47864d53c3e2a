import { emojiName, reactedBy } from "@/lib/emoji";
import { cn } from "@/lib/cn";
import type { Reaction } from "@/lib/types";

/** A message's reactions as chips: the emoji and how many; yours pressed. A click
 * adds yours or takes it back; the title (and the accessible name) says who. */
export function Reactions({ items, me, names, mine, onToggle }: { items: Reaction[]; me: string; names: Record<string, string>; mine: boolean; onToggle: (emoji: string) => void }) {
  if (items.length === 0) return null;
  return (
    <div role="group" aria-label="Reactions" className={cn("mt-1 flex flex-wrap gap-1", mine ? "justify-end" : "justify-start pl-8")}>
      {items.map((r) => {
        const pressed = r.user_ids.includes(me);
        const who = reactedBy(r.user_ids, me, names);
        return (
          <button
            key={r.emoji}
            type="button"
            aria-pressed={pressed}
            aria-label={`${emojiName(r.emoji)}: ${r.user_ids.length}, ${who}`}
            title={who}
            onClick={() => onToggle(r.emoji)}
            className={cn(
              "flex items-center gap-1 rounded-full border px-2 py-0.5 text-xs",
              pressed ? "border-indigo-400 bg-indigo-50 text-indigo-900 dark:border-indigo-500 dark:bg-indigo-950 dark:text-indigo-100" : "border-zinc-300 bg-white text-zinc-800 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-200",
            )}
          >
            <span aria-hidden>{r.emoji}</span>
            <span>{r.user_ids.length}</span>
          </button>
        );
      })}
    </div>
  );
}
