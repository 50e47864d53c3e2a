import * as Menu from "@radix-ui/react-dropdown-menu";
import { MoreHorizontal } from "lucide-react";

import { Avatar } from "@/components/Avatar";
import { type Shown } from "@/lib/chat-state";
import { cn } from "@/lib/cn";
import { systemText } from "@/lib/system-notes";
import { attachmentsText } from "@/lib/attachment-text";
import type { Attachment } from "@/lib/types";

import { Attachments, PendingFiles } from "./Attachments";
import { Linkified } from "./Linkified";

export type Actions = {
  edit: (m: Shown) => void;
  remove: (m: Shown) => void;
  restore: (m: Shown) => void;
  reply: (m: Shown) => void;
  retry: (m: Shown) => void;
  /** A failed send back into the composer, to fix and send again. */
  revise: (m: Shown) => void;
  discard: (m: Shown) => void;
  /** Stops one file of a message being sent. */
  cancelFile: (m: Shown, key: string) => void;
  openImage: (a: Attachment) => void;
};

const day = (iso: string) => new Date(iso).toLocaleDateString(undefined, { weekday: "long", year: "numeric", month: "long", day: "numeric" });
const time = (iso: string) => new Date(iso).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });

/** Messages with day separators, consecutive messages of one sender grouped, a
 * "new messages" divider before the first unread, reply quotes and a menu. */
export function MessageList({
  shown,
  me,
  names,
  avatars,
  firstUnread,
  canModerate,
  seenLabel,
  actions,
}: {
  shown: Shown[];
  me: string;
  names: Record<string, string>;
  /** Profile pictures by user id. */
  avatars: Record<string, string | undefined>;
  firstUnread: number | null;
  canModerate: boolean;
  seenLabel: { seq: number; text: string } | null;
  actions: Actions;
}) {
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
              <div className="my-3 text-center text-xs text-zinc-500" role="separator">
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
              {!m.mine && (grouped || !sender ? <span className="w-7 shrink-0" /> : <Avatar size="sm" name={names[sender] ?? "?"} avatarId={avatars[sender]} />)}
              <div
                className={cn(
                  "max-w-[75%] rounded-2xl px-3 py-2 text-sm break-words whitespace-pre-wrap",
                  m.mine ? "bg-indigo-600 text-white" : "bg-zinc-100 dark:bg-zinc-800",
                  m.status !== "sent" && "opacity-60",
                )}
                data-status={m.status}
              >
                {!m.mine && !grouped && sender && names[sender] && <div className="mb-0.5 text-xs font-semibold opacity-80">{names[sender]}</div>}
                {quoted && (
                  <div className="mb-1 border-l-2 border-current pl-2 text-xs opacity-75">
                    {quoted.body === null ? "Message deleted" : quoted.body.slice(0, 140) || attachmentsText(quoted.message?.attachments)}
                  </div>
                )}
                {!deleted && m.message?.attachments && <Attachments items={m.message.attachments} onOpen={actions.openImage} />}
                {m.files && m.files.length > 0 && <PendingFiles files={m.files} onCancel={(key) => actions.cancelFile(m, key)} onRetry={() => actions.retry(m)} />}
                {deleted ? <em className="opacity-70">Message deleted</em> : m.body ? <Linkified text={m.body} /> : null}
                <span className="ml-2 align-bottom text-[10px] opacity-60">
                  {m.message?.edited_at && !deleted ? "edited · " : ""}
                  {m.message ? time(m.message.created_at) : m.status === "failed" ? "" : "sending…"}
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
              {m.message && (
                <Menu.Root>
                  <Menu.Trigger className="rounded p-1 text-zinc-500 opacity-0 group-hover:opacity-100 focus:opacity-100" aria-label="Message actions">
                    <MoreHorizontal className="h-4 w-4" />
                  </Menu.Trigger>
                  <Menu.Portal>
                    <Menu.Content className="z-10 min-w-32 rounded-md border border-zinc-200 bg-white p-1 text-sm shadow-lg dark:border-zinc-800 dark:bg-zinc-900">
                      {!deleted && <MenuItem onSelect={() => actions.reply(m)}>Reply</MenuItem>}
                      {!deleted && m.mine && <MenuItem onSelect={() => actions.edit(m)}>Edit</MenuItem>}
                      {!deleted && (m.mine || canModerate) && <MenuItem onSelect={() => actions.remove(m)}>Delete</MenuItem>}
                      {deleted && (m.mine || canModerate) && <MenuItem onSelect={() => actions.restore(m)}>Restore</MenuItem>}
                    </Menu.Content>
                  </Menu.Portal>
                </Menu.Root>
              )}
            </div>
            )}
            {seenLabel && m.seq === seenLabel.seq && <div className="mt-0.5 text-right text-xs text-zinc-500">{seenLabel.text}</div>}
          </li>
        );
      })}
    </>
  );
}

function MenuItem({ children, onSelect }: { children: string; onSelect: () => void }) {
  return (
    <Menu.Item onSelect={onSelect} className="cursor-default rounded px-2 py-1.5 outline-none data-[highlighted]:bg-zinc-100 dark:data-[highlighted]:bg-zinc-800">
      {children}
    </Menu.Item>
  );
}
