// The client's view of conversations, kept by pure functions so the guarantees
// can be tested without a browser: a message typed is shown at once (pending),
// becomes exactly one message when the server acknowledges it or its event
// arrives (whichever is first), and events are applied once, in order.

import type { Message, OrderedEvent } from "./types";

/** A file of a message being sent: uploading (`loaded` of `size` bytes), uploaded
 * (`id` set) or failed (`error`). */
export type PendingFile = {
  key: string;
  name: string;
  size: number;
  mime: string;
  /** An object URL of the local file, for images. */
  preview?: string;
  loaded: number;
  id?: string;
  error?: string;
};

export type Pending = {
  client_msg_id: string;
  conversation_id: string;
  body: string;
  reply_to: string | null;
  created_at: string;
  status: "pending" | "failed";
  /** Why the server refused it (shown with the failed message). */
  error?: string;
  /** Files the message carries; it goes out once every one is uploaded. */
  files?: PendingFile[];
};

export type ConversationState = {
  /** Confirmed messages by id. */
  messages: Record<string, Message>;
  /** Messages typed here and not yet confirmed, in the order they were typed. */
  pending: Pending[];
  /** Highest ev applied: what to resume from. */
  position: number;
  /** Read markers by user id. */
  reads: Record<string, number>;
  /** Delivery markers by user id (how far their devices have received). */
  delivered: Record<string, number>;
};

export type ChatState = { me: string; conversations: Record<string, ConversationState> };

export const emptyConversation = (): ConversationState => ({ messages: {}, pending: [], position: 0, reads: {}, delivered: {} });

export function initialState(me: string): ChatState {
  return { me, conversations: {} };
}

function conv(state: ChatState, id: string): ConversationState {
  return state.conversations[id] ?? emptyConversation();
}

function withConv(state: ChatState, id: string, next: ConversationState): ChatState {
  return { ...state, conversations: { ...state.conversations, [id]: next } };
}

/** Stores a confirmed message (newer state wins) and retires its pending copy. */
function upsert(c: ConversationState, m: Message, me: string): ConversationState {
  const old = c.messages[m.id];
  const messages = old && old.ev > m.ev ? c.messages : { ...c.messages, [m.id]: m };
  const pending = m.sender_id === me ? c.pending.filter((p) => p.client_msg_id !== m.client_msg_id) : c.pending;
  return { ...c, messages, pending };
}

/** A message the user just typed: shown at once as pending. */
export function addPending(state: ChatState, p: Omit<Pending, "status">): ChatState {
  const c = conv(state, p.conversation_id);
  if (c.pending.some((x) => x.client_msg_id === p.client_msg_id)) return state;
  return withConv(state, p.conversation_id, { ...c, pending: [...c.pending, { ...p, status: "pending" }] });
}

/** The server acknowledged a send (possibly as a duplicate of an earlier one). */
export function applyAck(state: ChatState, m: Message): ChatState {
  return withConv(state, m.conversation_id, upsert(conv(state, m.conversation_id), m, state.me));
}

/** A send failed: keep the text, offer a retry with the same client_msg_id. */
export function markFailed(state: ChatState, conversationId: string, clientMsgId: string, error?: string): ChatState {
  const c = conv(state, conversationId);
  const pending = c.pending.map((p) => (p.client_msg_id === clientMsgId ? { ...p, status: "failed" as const, error } : p));
  return withConv(state, conversationId, { ...c, pending });
}

/** Drops a send that will not be retried (discarded, or taken back to edit). */
export function discardPending(state: ChatState, conversationId: string, clientMsgId: string): ChatState {
  const c = conv(state, conversationId);
  return withConv(state, conversationId, { ...c, pending: c.pending.filter((p) => p.client_msg_id !== clientMsgId) });
}

export function markRetrying(state: ChatState, conversationId: string, clientMsgId: string): ChatState {
  const c = conv(state, conversationId);
  const pending = c.pending.map((p) => (p.client_msg_id === clientMsgId ? { ...p, status: "pending" as const } : p));
  return withConv(state, conversationId, { ...c, pending });
}

/** Changes one file of a pending message (upload progress, its id, a failure). */
export function updateFile(state: ChatState, conversationId: string, clientMsgId: string, key: string, patch: Partial<PendingFile>): ChatState {
  const c = conv(state, conversationId);
  const pending = c.pending.map((p) =>
    p.client_msg_id === clientMsgId && p.files ? { ...p, files: p.files.map((f) => (f.key === key ? { ...f, ...patch } : f)) } : p,
  );
  return withConv(state, conversationId, { ...c, pending });
}

/** Takes a file out of a pending message (cancelled); a message left with
 * neither text nor files is dropped. */
export function removeFile(state: ChatState, conversationId: string, clientMsgId: string, key: string): ChatState {
  const c = conv(state, conversationId);
  const pending = c.pending
    .map((p) => (p.client_msg_id === clientMsgId && p.files ? { ...p, files: p.files.filter((f) => f.key !== key) } : p))
    .filter((p) => p.body.trim() !== "" || (p.files?.length ?? 0) > 0);
  return withConv(state, conversationId, { ...c, pending });
}

/** Applies a live or replayed event once: anything at or below the position is old. */
export function applyEvent(state: ChatState, e: OrderedEvent): ChatState {
  const c = conv(state, e.conversation_id);
  if (e.ev <= c.position) return state;
  let next: ConversationState = { ...c, position: e.ev };
  switch (e.type) {
    case "message.new":
    case "message.updated":
    case "message.deleted":
    case "message.restored":
      next = upsert(next, e.message, state.me);
      break;
    case "read":
      next = { ...next, reads: { ...next.reads, [e.user_id]: Math.max(next.reads[e.user_id] ?? 0, e.seq) } };
      break;
    case "delivered":
      next = { ...next, delivered: { ...next.delivered, [e.user_id]: Math.max(next.delivered[e.user_id] ?? 0, e.seq) } };
      break;
    case "conversation.new":
    case "conversation.updated":
      break;
  }
  return withConv(state, e.conversation_id, next);
}

/** Merges a page of history from REST; never moves the position. */
export function mergeHistory(state: ChatState, conversationId: string, page: Message[]): ChatState {
  let c = conv(state, conversationId);
  for (const m of page) c = upsert(c, m, state.me);
  return withConv(state, conversationId, c);
}

/** The oldest loaded message's seq (what "older" pages are fetched before). */
export function oldestSeq(state: ChatState, conversationId: string): number | null {
  const seqs = Object.values(conv(state, conversationId).messages).map((m) => m.seq);
  return seqs.length > 0 ? Math.min(...seqs) : null;
}

export type Shown = {
  key: string;
  seq: number | null;
  body: string | null;
  mine: boolean;
  status: "sent" | "pending" | "failed";
  error?: string;
  message?: Message;
  /** A pending message's files, with their upload progress. */
  files?: PendingFile[];
};

/** What the conversation view shows: confirmed messages by seq, then pending ones. */
export function visible(state: ChatState, conversationId: string): Shown[] {
  const c = conv(state, conversationId);
  const sent: Shown[] = Object.values(c.messages)
    .sort((a, b) => a.seq - b.seq)
    .map((m) => ({ key: m.id, seq: m.seq, body: m.body, mine: m.sender_id === state.me, status: "sent", message: m }));
  const pending: Shown[] = c.pending.map((p) => ({ key: p.client_msg_id, seq: null, body: p.body, mine: true, status: p.status, error: p.error, files: p.files }));
  return [...sent, ...pending];
}

/** Messages after the user's read marker, from others, not deleted. */
export function unreadCount(state: ChatState, conversationId: string): number {
  const c = conv(state, conversationId);
  const read = c.reads[state.me] ?? 0;
  return Object.values(c.messages).filter((m) => m.seq > read && m.sender_id !== state.me && m.deleted_at === null).length;
}

/** Positions for the `resume` frame. */
export function positions(state: ChatState): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [id, c] of Object.entries(state.conversations)) if (c.position > 0) out[id] = c.position;
  return out;
}

/** Pending sends to (re)send, in the order they were typed, leaving out those
 * already sent on the current connection and not yet answered. In one
 * conversation a message still uploading holds back those typed after it, so
 * messages arrive in the order they were written. */
export function outbox(state: ChatState, inFlight: ReadonlySet<string> = new Set()): Pending[] {
  return Object.values(state.conversations)
    .flatMap((c) => {
      const out: Pending[] = [];
      for (const p of c.pending) {
        if (p.status !== "pending") continue;
        if (!(p.files ?? []).every((f) => f.id)) break;
        if (!inFlight.has(p.client_msg_id)) out.push(p);
      }
      return out;
    })
    .sort((a, b) => a.created_at.localeCompare(b.created_at));
}
