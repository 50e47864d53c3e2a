import { useState, type KeyboardEvent, type RefObject } from "react";
import { flushSync } from "react-dom";

import { complete, mentionAt, suggestions, type Candidate, type MentionAt } from "@/lib/mentions";

/** `@` autocomplete for the composer of a group: a list of members above the
 * box while an `@name` is being typed; ↑/↓ choose, Enter or Tab put it in, Esc
 * closes. `update` is called when the text or the caret moves. */
export function useMentions({ draft, setDraft, box, members, me, enabled }: { draft: string; setDraft: (s: string) => void; box: RefObject<HTMLTextAreaElement | null>; members: Candidate[]; me: string; enabled: boolean }) {
  const [at, setAt] = useState<MentionAt | null>(null);
  const [index, setIndex] = useState(0);
  const list = at && enabled ? suggestions(members, at.query, me) : [];
  const active = list[Math.min(index, list.length - 1)];

  function update() {
    const el = box.current;
    if (!el) return;
    setAt(mentionAt(el.value, el.selectionStart ?? el.value.length));
    setIndex(0);
  }

  function pick(c: Candidate) {
    const el = box.current;
    if (!at) return;
    const next = complete(draft, el?.selectionStart ?? draft.length, at, c.username);
    // The new text is committed now and the caret placed at once: placed on a
    // later frame, it jumped back over whatever was typed in between.
    flushSync(() => {
      setDraft(next.text);
      setAt(null);
    });
    el?.focus();
    el?.setSelectionRange(next.caret, next.caret);
  }

  /** True when the key was the list's to handle. */
  function onKey(e: KeyboardEvent<HTMLTextAreaElement>): boolean {
    if (!active) return false;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      setIndex((i) => (i + (e.key === "ArrowDown" ? 1 : list.length - 1)) % list.length);
    } else if (e.key === "Enter" || e.key === "Tab") {
      e.preventDefault();
      pick(active);
    } else if (e.key === "Escape") {
      e.preventDefault();
      setAt(null);
    } else return false;
    return true;
  }

  const listbox = active ? (
    <ul role="listbox" id="mention-list" aria-label="Mention someone" className="mx-3 mb-1 max-w-sm rounded-md border border-zinc-200 bg-white p-1 text-sm shadow-lg dark:border-zinc-800 dark:bg-zinc-900">
      {list.map((c) => (
        <li
          key={c.user_id}
          id={`mention-${c.user_id}`}
          role="option"
          aria-selected={c === active}
          // Before the box loses focus: the caret is still where the name goes.
          onMouseDown={(e) => {
            e.preventDefault();
            pick(c);
          }}
          className="cursor-default rounded px-2 py-1 aria-selected:bg-zinc-100 dark:aria-selected:bg-zinc-800"
        >
          {c.full_name} <span className="text-zinc-600 dark:text-zinc-400">@{c.username}</span>
        </li>
      ))}
    </ul>
  ) : null;
  const inputProps = { "aria-autocomplete": "list" as const, "aria-controls": active ? "mention-list" : undefined, "aria-activedescendant": active ? `mention-${active.user_id}` : undefined };
  return { update, onKey, listbox, inputProps };
}
