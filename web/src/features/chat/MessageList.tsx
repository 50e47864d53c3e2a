import { useMemo, useState } from "react";

import { Avatar } from "@/components/Avatar";
import { type Shown } from "@/lib/chat-state";
import { cn } from "@/lib/cn";
import { systemText } from "@/lib/system-notes";
import { attachmentsText } from "@/lib/attachment-text";
import type { Attachment } from "@/lib/types";

import { Attachments, PendingFiles } from "./Attachments";
import { Markdown } from "./Markdown";
import { MessageMenu } from "./MessageMenu";
import { longPress } from "@/lib/long-press";
import type { Receipt } from "@/lib/receipts";

import { Reactions } from "./Reactions";
import { Seen, Ticks } from "./Receipts";

/** Under your last message: "Seen" / "Delivered", or in a group "Seen by N" and who. */
export type SeenLabel = { seq: number; text: string; names?: string[] };

export type Actions = {
  edit: (m: Shown) => void;
  remove: (m: Shown) => void;
  restore: (m: Shown) => void;
  reply: (m: Shown) => void;
  /** Adds your reaction `emoji`, or takes it back if it is yours already. */
  react: (m: Shown, emoji: string) => void;
  retry: (m: Shown) => void;
  /** A failed send back into the composer, to fix and send again. */
  revise: (m: Shown) => void;
  discard: (m: Shown) => void;
  /** Stops one file of a message being sent. */
  cancelFile: (m: Shown, key: string) => void;
  openImage: (a: Attachment) => void;
  /** Opens someone's profile card. */
  showProfile: (userId: string) => void;
};

const day = (iso: string) => new Date(iso).toLocaleDateString(undefined, { weekday: "long", year: "numeric", month: "long", day: "numeric" });
const time = (iso: string) => new Date(iso).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });

/** Messages with day separators, consecutive messages of one sender grouped, a
 * "new messages" divider before the first unread, reply quotes and a menu. */
export function MessageList({
  shown,
  me,
  myName,
  names,
  avatars,
  firstUnread,
  canModerate,
  seenLabel,
  receipt,
  actions,
}: {
  shown: Shown[];
  me: string;
  /** Your username: a mention of you stands out. */
  myName: string;
  names: Record<string, string>;
  /** Profile pictures by user id. */
  avatars: Record<string, string | undefined>;
  firstUnread: number | null;
  canModerate: boolean;
  seenLabel: SeenLabel | null;
  /** The delivery state of one of your messages (null: not yours, or not stored yet). */
  receipt: (m: Shown) => Receipt | null;
  actions: Actions;
}) {
  // One message's actions open at a time, by "…" or by a long press on it.
  const [menuFor, setMenuFor] = useState<string | null>(null);
  const press = useMemo(() => longPress((el) => setMenuFor((el as HTMLElement).dataset.key ?? null)), []);
  const byId = new Map(shown.filter((m) => m.message).map((m) => [m.message!.id, m]));
  return (
    <>
      {shown.map((m, i) => {
        const prev = shown[i - 1];
        const at = m.message?.created_at ?? new Date().toISOString();
        const prevAt = prev?.message?.created_at;
        const newDay = !prevAt || day(prevAt) !== day(at);
        const sender = m.message?.sender_id;
        const grouped = !newDay && prev && prev.mine === m.mine && prev.message?.sender_id === sender && prevAt && Date.parse(at) - Date.parse(prevAt) < 5 * 60_000;
        const quoted = m.message?.reply_to ? byId.get(m.message.reply_to) : undefined;
        const deleted = m.body === null;
        return (
          <li key={m.key} className="list-none" data-seq={m.seq ?? undefined}>
            {newDay && (
              <div className="my-3 text-center text-xs text-zinc-600 dark:text-zinc-400" role="separator">
                {day(at)}
              </div>
            )}
            {firstUnread !== null && m.seq === firstUnread && (
              <div id="first-unread" className="my-2 flex items-center gap-2 text-xs font-medium text-indigo-600" role="separator">
                <span className="h-px flex-1 bg-indigo-300" /> New messages <span className="h-px flex-1 bg-indigo-300" />
              </div>
            )}
            {m.message?.system ? (
              <p className="my-2 text-center text-xs text-zinc-600 dark:text-zinc-400" data-system={m.message.system.event}>
                {systemText(m.message.system, m.message.sender_id, me)} · {time(m.message.created_at)}
              </p>
            ) : (
            <div className={cn("group flex items-end gap-1", m.mine ? "flex-row-reverse" : "flex-row", grouped ? "mt-0.5" : "mt-3")}>
              {!m.mine &&
                (grouped || !sender ? (
                  <span className="w-7 shrink-0" />
                ) : (
                  // A mouse target only: the name beside it is the button keyboards and
                  // screen readers use (a second one would read "AA" as its text).
                  <span className="shrink-0 cursor-pointer" onClick={() => actions.showProfile(sender)}>
                    <Avatar size="sm" name={names[sender] ?? "?"} avatarId={avatars[sender]} />
                  </span>
                ))}
              <div
                className={cn(
                  "max-w-[75%] rounded-2xl px-3 py-2 text-sm break-words whitespace-pre-wrap",
                  m.mine ? "bg-indigo-600 text-white" : "bg-zinc-100 dark:bg-zinc-800",
                  m.status !== "sent" && "opacity-60",
                  m.message && "[-webkit-touch-callout:none]",
                )}
                data-status={m.status}
                data-key={m.key}
                {...(m.message ? press : {})}
              >
                {!m.mine && !grouped && sender && names[sender] && (
                  <button type="button" className="mb-0.5 block text-xs font-semibold hover:underline" onClick={() => actions.showProfile(sender)}>
                    {names[sender]}
                  </button>
                )}
                {quoted && (
                  <div className="mb-1 border-l-2 border-current pl-2 text-xs opacity-75">
                    {quoted.body === null ? "Message deleted" : quoted.body.slice(0, 140) || attachmentsText(quoted.message?.attachments)}
                  </div>
                )}
                {!deleted && m.message?.attachments && <Attachments items={m.message.attachments} onOpen={actions.openImage} />}
                {m.files && m.files.length > 0 && <PendingFiles files={m.files} onCancel={(key) => actions.cancelFile(m, key)} onRetry={() => actions.retry(m)} />}
                {deleted ? <em className="opacity-70">Message deleted</em> : m.body ? <Markdown text={m.body} me={myName} mine={m.mine} /> : null}
                <span className={cn("ml-2 align-bottom text-[10px]", m.mine ? "text-indigo-100" : "text-zinc-600 dark:text-zinc-400")}>
                  {m.message?.edited_at && !deleted ? "edited · " : ""}
                  {m.message ? time(m.message.created_at) : m.status === "failed" ? "" : "sending…"}
                  <Ticks state={receipt(m)} />
                </span>
                {m.status === "failed" && (
                  <span className="mt-1 block text-xs" role="alert">
                    Not sent{m.error ? `: ${m.error}` : ""}.{" "}
                    <button className="underline" onClick={() => actions.retry(m)}>
                      Retry
                    </button>{" "}
                    <button className="underline" onClick={() => actions.revise(m)}>
                      Edit
                    </button>{" "}
                    <button className="underline" onClick={() => actions.discard(m)}>
                      Discard
                    </button>
                  </span>
                )}
              </div>
              {m.message && <MessageMenu m={m} canModerate={canModerate} actions={actions} open={menuFor === m.key} onOpenChange={(o) => setMenuFor(o ? m.key : null)} />}
            </div>
            )}
            {!deleted && m.message?.reactions && <Reactions items={m.message.reactions} me={me} names={names} mine={m.mine} onToggle={(e) => actions.react(m, e)} />}
            {seenLabel && m.seq === seenLabel.seq && <Seen label={seenLabel} />}
          </li>
        );
      })}
    </>
  );
}
