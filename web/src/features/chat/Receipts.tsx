import { Check, CheckCheck } from "lucide-react";

import { cn } from "@/lib/cn";
import type { Receipt } from "@/lib/receipts";

import type { SeenLabel } from "./MessageList";

const WORDS: Record<Receipt, string> = { sent: "Sent", delivered: "Delivered", seen: "Seen" };

/** ✓ sent (stored), ✓✓ delivered (reached their device), ✓✓ in blue seen. */
export function Ticks({ state }: { state: Receipt | null }) {
  if (!state) return null;
  const Icon = state === "sent" ? Check : CheckCheck;
  return (
    <span role="img" aria-label={WORDS[state]} title={WORDS[state]} data-receipt={state} className="ml-1 inline-flex align-[-2px]">
      <Icon className={cn("h-3 w-3", state === "seen" && "text-sky-300")} aria-hidden />
    </span>
  );
}

/** Under your last message. In a group it says how many have seen it and, opened,
 * who. */
export function Seen({ label }: { label: SeenLabel }) {
  const style = "mt-0.5 text-right text-xs text-zinc-600 dark:text-zinc-400";
  if (!label.names) return <div className={style}>{label.text}</div>;
  return (
    <details className={style}>
      <summary className="cursor-pointer list-none">{label.text}</summary>
      <ul aria-label="Seen by">
        {label.names.map((n) => (
          <li key={n}>{n}</li>
        ))}
      </ul>
    </details>
  );
}
