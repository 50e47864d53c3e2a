import { useEffect, useRef, useState } from "react";

import { attachmentsText } from "@/lib/attachment-text";
import type { Shown } from "@/lib/chat-state";

/** Reads out, to screen readers only, each message that arrives from someone else
 * in the open chat ("Ann Archer: hello"). The page of history shown on opening is
 * not read out, and neither are your own messages. */
export function Announcer({ shown, names }: { shown: Shown[]; names: Record<string, string> }) {
  const [text, setText] = useState("");
  const newest = useRef<number | null>(null);
  useEffect(() => {
    const last = [...shown].reverse().find((m) => m.seq !== null);
    if (!last?.seq) return;
    const before = newest.current;
    if (before !== null && last.seq <= before) return;
    newest.current = last.seq;
    const m = last.message;
    if (before === null || last.mine || !m || m.system || m.deleted_at) return;
    setText(`${names[m.sender_id] ?? "Someone"}: ${m.body || attachmentsText(m.attachments)}`);
  }, [shown, names]);
  return (
    <div className="sr-only" role="log" aria-live="polite">
      {text}
    </div>
  );
}
