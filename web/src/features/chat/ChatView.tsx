import { useQuery } from "@tanstack/react-query";
import { ArrowLeft, FileText, Paperclip, Smile, X } from "lucide-react";
import { useEffect, useMemo, useRef, useState, type ClipboardEvent, type DragEvent, type KeyboardEvent } from "react";

import { EmojiPicker } from "@/components/EmojiPicker";
import { ProfileCard, type Presence } from "@/components/ProfileCard";
import { Button } from "@/components/ui/button";
import { api, type ApiError, type Me } from "@/lib/api";
import { addPending, discardPending, markRetrying, mergeHistory, visible, type Shown } from "@/lib/chat-state";
import { sendNow, sendTyping } from "@/lib/live";
import { insertAt } from "@/lib/emoji";
import { markers, receiptFor, type Receipt } from "@/lib/receipts";
import { takeJump, useJumpRequest } from "@/lib/jump";
import { navigate } from "@/lib/route";
import { lastEditable } from "@/lib/shortcuts";
import { updateChat, useChat } from "@/lib/store";
import { useTyping } from "@/lib/typing";
import type { Message } from "@/lib/types";
import { cancelFile, MAX_FILES, pendingFiles, retryUploads, startUploads } from "@/lib/uploads";

import { Announcer } from "./Announcer";
import { formatSize } from "./Attachments";
import { Gallery } from "./Gallery";
import { SearchInChat } from "./SearchInChat";
import { MuteMenu } from "./MuteMenu";
import { GroupSettings } from "./GroupSettings";
import { ImageViewer } from "./ImageViewer";
import { useMentions } from "./Mentions";
import { MessageList, type Actions, type SeenLabel } from "./MessageList";
import { useHistory } from "./useHistory";

type Member = { user_id: string; username: string; full_name: string; role: string; last_read_seq: number; last_delivered_seq: number; avatar_id?: string; presence?: Presence };
type Summary = { id: string; kind: "direct" | "group"; name: string | null; avatar_id?: string; members: Member[]; last_read_seq: number; unread_count: number; muted_until?: string };

/** The server's default longest message (`--max-message-chars`); the composer
 * counts characters once a draft comes near it. */
const MAX_CHARS = 4000;
const COUNT_FROM = 3500;

export function ChatView({ me, conversationId, onBack }: { me: Me; conversationId: string; onBack: () => void }) {
  const conv = useChat((s) => s.conversations[conversationId]);
  const shown = useMemo(() => visible({ me: me.id, conversations: conv ? { [conversationId]: conv } : {} }, conversationId), [conv, conversationId, me.id]);
  const { data: info, isFetchedAfterMount, error: missing } = useQuery({ queryKey: ["conversation", conversationId], queryFn: () => api<Summary>(`/conversations/${conversationId}`), retry: false });
  const typingIds = useTyping(conversationId);
  const [draft, setDraft] = useState("");
  const [replyTo, setReplyTo] = useState<Shown | null>(null);
  const [editing, setEditing] = useState<Shown | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [staged, setStaged] = useState<File[]>([]);
  const [dragging, setDragging] = useState(false);
  const [viewing, setViewing] = useState<number | null>(null);
  const [profileOf, setProfileOf] = useState<string | null>(null);
  const picker = useRef<HTMLInputElement>(null);
  const lastTyping = useRef(0);
  const { list, stick, hasOlder, firstUnread, loadOlder, jumpToUnread, jumpToMessage } = useHistory(conversationId, isFetchedAfterMount ? info : undefined, shown.length);
  // A search hit in this conversation: go to it (when opening, or while open).
  const jumpRequest = useJumpRequest();
  useEffect(() => {
    const r = takeJump(conversationId);
    if (r) jumpToMessage(r.seq);
  }, [jumpRequest, conversationId]);

  const lastSeq = shown.reduce((m, x) => Math.max(m, x.seq ?? 0), 0);
  // What arrives while the tab is hidden is read when the person comes back to it.
  const [tabShown, setTabShown] = useState(!document.hidden);
  useEffect(() => {
    const seen = () => setTabShown(!document.hidden);
    document.addEventListener("visibilitychange", seen);
    return () => document.removeEventListener("visibilitychange", seen);
  }, []);
  // Nothing is marked read before the summary fetched on opening has arrived:
  // it says where unread messages start, and a read marker committed first
  // would erase that (no "Jump to first unread", no divider).
  useEffect(() => {
    if (lastSeq > 0 && tabShown && isFetchedAfterMount) void api(`/conversations/${conversationId}/read`, { method: "POST", body: { seq: lastSeq } }).catch(() => undefined);
  }, [lastSeq, conversationId, tabShown, isFetchedAfterMount]);

  const others = (info?.members ?? []).filter((m) => m.user_id !== me.id);
  const names = Object.fromEntries((info?.members ?? []).map((m) => [m.user_id, m.full_name || m.username]));
  const avatars = Object.fromEntries((info?.members ?? []).map((m) => [m.user_id, m.avatar_id]));
  const title = info?.name ?? others.map((m) => m.full_name || m.username).join(", ");
  const typers = typingIds.map((id) => names[id]).filter(Boolean);
  const myRole = info?.members.find((m) => m.user_id === me.id)?.role ?? "member";
  // Delivery states (lib/receipts.ts): ticks on your messages; under the last one
  // "Delivered" or "Seen" in a direct chat, "Seen by N" (and who) in a group.
  const markersOf = (m: Member) => markers({ read: m.last_read_seq, delivered: m.last_delivered_seq }, { read: conv?.reads[m.user_id], delivered: conv?.delivered[m.user_id] });
  const direct = info?.kind === "direct" && others[0] ? markersOf(others[0]) : null;
  const receipt = (m: Shown): Receipt | null => (m.mine && m.seq !== null ? (direct ? receiptFor(m.seq, direct) : "sent") : null);
  const myLast = [...shown].reverse().find((m) => m.mine && m.seq !== null);
  const seenBy = myLast?.seq ? others.filter((m) => markersOf(m).read >= (myLast.seq ?? 0)) : [];
  const lastState = myLast ? receipt(myLast) : null;
  const seenLabel: SeenLabel | null = !myLast?.seq
    ? null
    : direct
      ? lastState === "seen" || lastState === "delivered"
        ? { seq: myLast.seq, text: lastState === "seen" ? "Seen" : "Delivered" }
        : null
      : seenBy.length > 0
        ? { seq: myLast.seq, text: `Seen by ${seenBy.length}`, names: seenBy.map((m) => m.full_name || m.username) }
        : null;

  async function change(path: string, method: string, body?: unknown) {
    try {
      const m = await api<Message>(path, { method, body });
      updateChat((s) => mergeHistory(s, conversationId, [m]));
    } catch (e) {
      setError((e as ApiError).message);
    }
  }

  const actions: Actions = {
    reply: (m) => {
      setEditing(null);
      setReplyTo(m);
    },
    edit: (m) => {
      setReplyTo(null);
      setEditing(m);
      setDraft(m.body ?? "");
    },
    remove: (m) => void change(`/messages/${m.message!.id}`, "DELETE"),
    react: (m, emoji) => {
      const mine = m.message?.reactions?.some((r) => r.emoji === emoji && r.user_ids.includes(me.id));
      void change(`/messages/${m.message!.id}/reactions/${encodeURIComponent(emoji)}`, mine ? "DELETE" : "PUT");
    },
    restore: (m) => void change(`/messages/${m.message!.id}/restore`, "POST", {}),
    retry: (m) => {
      updateChat((s) => markRetrying(s, conversationId, m.key));
      retryUploads(conversationId, m.key);
      sendNow();
    },
    cancelFile: (m, key) => cancelFile(conversationId, m.key, key),
    openImage: (a) => setViewing(images.findIndex((x) => x.id === a.id)),
    showProfile: setProfileOf,
    revise: (m) => {
      updateChat((s) => discardPending(s, conversationId, m.key));
      setEditing(null);
      setDraft(m.body ?? "");
    },
    discard: (m) => updateChat((s) => discardPending(s, conversationId, m.key)),
  };

  // Every image of the loaded messages, oldest first: what the viewer goes through.
  const images = useMemo(() => shown.flatMap((m) => (m.message?.deleted_at ? [] : (m.message?.attachments ?? []).filter((a) => a.kind === "image"))), [shown]);

  function stage(list: FileList | File[] | null | undefined) {
    const add = Array.from(list ?? []);
    if (add.length === 0) return;
    const all = [...staged, ...add];
    if (all.length > MAX_FILES) setError(`At most ${MAX_FILES} files per message: the first ${MAX_FILES} are kept.`);
    setStaged(all.slice(0, MAX_FILES));
  }

  function onPaste(e: ClipboardEvent<HTMLTextAreaElement>) {
    if (e.clipboardData.files.length > 0) {
      e.preventDefault();
      stage(e.clipboardData.files);
    }
  }

  function onDrop(e: DragEvent) {
    e.preventDefault();
    setDragging(false);
    stage(e.dataTransfer.files);
  }

  function send() {
    const body = draft.trim();
    if (!body && (staged.length === 0 || editing)) return;
    setError(null);
    if (editing?.message) {
      void change(`/messages/${editing.message.id}`, "PATCH", { body });
      setEditing(null);
    } else {
      const reply = replyTo?.message?.id ?? null;
      const id = crypto.randomUUID();
      const { entries, keyed } = pendingFiles(staged);
      updateChat((s) =>
        addPending(s, { client_msg_id: id, conversation_id: conversationId, body, reply_to: reply, created_at: new Date().toISOString(), files: entries.length > 0 ? entries : undefined }),
      );
      startUploads(conversationId, id, keyed);
      setStaged([]);
      sendTyping(conversationId, "stop");
      lastTyping.current = 0;
      stick.current = true;
      sendNow();
    }
    setDraft("");
    setReplyTo(null);
  }

  // The composer's emoji go where the caret is; focus comes back after it.
  const box = useRef<HTMLTextAreaElement>(null);
  function insertEmoji(emoji: string) {
    const el = box.current;
    const at = insertAt(draft, el?.selectionStart ?? draft.length, el?.selectionEnd ?? draft.length, emoji);
    setDraft(at.text);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(at.caret, at.caret);
    });
  }

  const mentions = useMentions({ draft, setDraft, box, members: info?.members ?? [], me: me.id, enabled: info?.kind === "group" });

  function onKey(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (mentions.onKey(e)) return;
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      send();
    } else if (e.key === "Escape") {
      if (editing) setDraft("");
      setEditing(null);
      setReplyTo(null);
    } else if (e.key === "ArrowUp" && draft === "" && !editing && staged.length === 0) {
      // As in Slack: ↑ in an empty box edits your last message.
      const last = lastEditable(shown);
      if (last) {
        e.preventDefault();
        actions.edit(last);
      }
    } else if (Date.now() - lastTyping.current > 2000) {
      lastTyping.current = Date.now();
      sendTyping(conversationId, "start");
    }
  }

  // An address (`/c/ID`) of a conversation this person is not in, or that is gone.
  if (missing && !info)
    return (
      <div className="grid flex-1 place-items-center p-4 text-center">
        <div className="space-y-3">
          <p role="alert">{(missing as unknown as ApiError).status === 404 ? "This conversation does not exist, or you are not in it." : (missing as unknown as ApiError).message}</p>
          <Button variant="outline" onClick={onBack}>
            Back to conversations
          </Button>
        </div>
      </div>
    );

  return (
    <div
      className="relative flex min-h-0 flex-1 flex-col"
      onDragOver={(e) => {
        if (!e.dataTransfer.types.includes("Files")) return;
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={(e) => {
        if (e.currentTarget === e.target) setDragging(false);
      }}
      onDrop={onDrop}
    >
      {dragging && (
        <div className="pointer-events-none absolute inset-2 z-10 grid place-items-center rounded-xl border-2 border-dashed border-indigo-500 bg-indigo-50/90 text-indigo-700 dark:bg-indigo-950/90 dark:text-indigo-200">
          Drop files to send them
        </div>
      )}
      <header className="flex items-center gap-2 border-b border-zinc-200 px-3 py-2 dark:border-zinc-800">
        <Button variant="ghost" size="icon" className="sm:hidden" aria-label="Back to conversations" onClick={onBack}>
          <ArrowLeft className="h-4 w-4" />
        </Button>
        <h2 className="min-w-0 flex-1 truncate font-semibold">
          {info?.kind === "direct" && others[0] ? (
            <button type="button" className="max-w-full truncate hover:underline" onClick={() => setProfileOf(others[0]!.user_id)}>
              {title}
            </button>
          ) : (
            title
          )}
        </h2>
        {firstUnread !== null && (
          <Button size="sm" variant="outline" onClick={() => void jumpToUnread()}>
            Jump to first unread
          </Button>
        )}
        {info && <MuteMenu key={info.muted_until ?? "on"} conversationId={conversationId} mutedUntil={info.muted_until} />}
        <SearchInChat conversationId={conversationId} members={info?.members ?? []} me={me.id} onPick={jumpToMessage} />
        <Gallery conversationId={conversationId} />
        {info?.kind === "group" && <GroupSettings conversationId={conversationId} name={info.name ?? ""} avatarId={info.avatar_id} members={info.members} me={me.id} onLeft={onBack} />}
      </header>
      <ProfileCard
        userId={profileOf}
        me={me.id}
        presence={info?.members.find((m) => m.user_id === profileOf)?.presence}
        onClose={() => setProfileOf(null)}
        onOpenChat={(id) => navigate({ view: "chats", conversation: id })}
      />
      <ImageViewer images={images} index={viewing} onIndex={setViewing} onClose={() => setViewing(null)} />
      <ol
        ref={list}
        className="min-h-0 flex-1 overflow-y-auto px-4 pb-2"
        aria-label="Messages"
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
          if (el.scrollTop < 40) void loadOlder();
        }}
      >
        {hasOlder && (
          <li className="list-none py-2 text-center">
            <Button size="sm" variant="ghost" onClick={() => void loadOlder()}>
              Load older messages
            </Button>
          </li>
        )}
        <MessageList shown={shown} me={me.id} myName={me.username} names={names} avatars={avatars} firstUnread={firstUnread} canModerate={info?.kind === "group" && (myRole === "owner" || myRole === "admin")} seenLabel={seenLabel} receipt={receipt} actions={actions} />
      </ol>
      <Announcer shown={shown} names={names} />
      <p className="h-5 px-4 text-xs text-zinc-600 dark:text-zinc-400" aria-live="polite">
        {typers.length > 0 && `${typers.join(", ")} ${typers.length > 1 ? "are" : "is"} typing…`}
      </p>
      {(replyTo || editing || error) && (
        <div className="flex items-center gap-2 border-t border-zinc-200 px-3 py-1 text-xs dark:border-zinc-800">
          <span className="min-w-0 flex-1 truncate" role={error ? "alert" : undefined}>
            {error ?? (editing ? "Editing your message" : `Replying to: ${replyTo?.body ?? ""}`)}
          </span>
          <Button variant="ghost" size="icon" aria-label="Cancel" onClick={() => (setReplyTo(null), setEditing(null), setError(null), editing && setDraft(""))}>
            <X className="h-3 w-3" />
          </Button>
        </div>
      )}
      {staged.length > 0 && (
        <ul className="flex flex-wrap gap-1 border-t border-zinc-200 px-3 pt-2 dark:border-zinc-800" aria-label="Files to send">
          {staged.map((f, i) => (
            <li key={`${f.name}-${i}`} className="flex items-center gap-1 rounded-md bg-zinc-100 py-0.5 pr-1 pl-2 text-xs dark:bg-zinc-800">
              <FileText className="h-3 w-3" aria-hidden />
              <span className="max-w-40 truncate">{f.name || "pasted file"}</span>
              <span className="text-zinc-600 dark:text-zinc-400">{formatSize(f.size)}</span>
              <button type="button" aria-label={`Remove ${f.name || "pasted file"}`} onClick={() => setStaged(staged.filter((_, j) => j !== i))}>
                <X className="h-3 w-3" />
              </button>
            </li>
          ))}
        </ul>
      )}
      {mentions.listbox}
      <form
        className="flex gap-2 border-t border-zinc-200 p-3 dark:border-zinc-800"
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
      >
        <input
          ref={picker}
          type="file"
          multiple
          hidden
          aria-label="Files to attach"
          onChange={(e) => {
            stage(e.currentTarget.files);
            e.currentTarget.value = "";
          }}
        />
        <Button type="button" variant="ghost" size="icon" aria-label="Attach files" disabled={!!editing} onClick={() => picker.current?.click()}>
          <Paperclip className="h-4 w-4" />
        </Button>
        <EmojiPicker label="Insert emoji" onPick={insertEmoji}>
          <Smile className="h-4 w-4" />
        </EmojiPicker>
        <textarea
          ref={box}
          onPaste={onPaste}
          aria-label="Message"
          rows={1}
          value={draft}
          onChange={(e) => {
            setDraft(e.target.value);
            mentions.update();
          }}
          onSelect={mentions.update}
          onKeyDown={onKey}
          {...mentions.inputProps}
          placeholder="Write a message (Enter sends, Shift+Enter for a new line)"
          className="max-h-40 min-h-9 flex-1 resize-none rounded-md border border-zinc-300 bg-transparent px-3 py-2 text-sm dark:border-zinc-700"
        />
        {draft.length > COUNT_FROM && (
          <span className={draft.length > MAX_CHARS ? "self-center text-xs font-medium text-red-600 dark:text-red-400" : "self-center text-xs text-zinc-600 dark:text-zinc-400"} aria-live="polite">
            {draft.length}/{MAX_CHARS}
          </span>
        )}
        <Button type="submit">{editing ? "Save" : "Send"}</Button>
      </form>
    </div>
  );
}
