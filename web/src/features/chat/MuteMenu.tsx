import { useQueryClient } from "@tanstack/react-query";
import { BellOff } from "lucide-react";
import { useState } from "react";

import { api } from "@/lib/api";
import { muteLabel, MUTE_CHOICES } from "@/lib/mute";

/** Mute this conversation for a while or for good: no push and no mail for it. */
export function MuteMenu({ conversationId, mutedUntil }: { conversationId: string; mutedUntil?: string | null }) {
  const queries = useQueryClient();
  const [until, setUntil] = useState(mutedUntil ?? null);
  const label = muteLabel(until, new Date());

  async function choose(value: string) {
    const r =
      value === "off"
        ? await api<{ muted_until: string | null }>(`/conversations/${conversationId}/mute`, { method: "DELETE" })
        : await api<{ muted_until: string | null }>(`/conversations/${conversationId}/mute`, { method: "PUT", body: value === "forever" ? {} : { minutes: Number(value) } });
    setUntil(r.muted_until);
    void queries.invalidateQueries({ queryKey: ["conversations"] });
    void queries.invalidateQueries({ queryKey: ["conversation", conversationId] });
  }

  // On a phone the select would squeeze the conversation's name out of the
  // header: there it is an invisible layer over the bell, which opens it.
  return (
    <label className="relative flex items-center gap-1 text-sm max-sm:p-2 text-zinc-600 dark:text-zinc-400" title={label ?? "Notifications on"}>
      <BellOff className={until ? "h-4 w-4 text-amber-600" : "h-4 w-4"} aria-hidden />
      <select aria-label="Mute notifications" className="rounded-md border border-zinc-300 bg-transparent px-1 py-1 text-sm max-sm:absolute max-sm:inset-0 max-sm:w-full max-sm:opacity-0 dark:border-zinc-700" value="" onChange={(e) => void choose(e.currentTarget.value)}>
        <option value="" disabled>
          {label ?? "Mute"}
        </option>
        {MUTE_CHOICES.map(([value, text]) => (
          <option key={value} value={value} disabled={value === "off" && !until}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}
