// Wires the real-time stream to the chat store and the REST cache: events update
// the store once and in order; list-level changes refresh the conversation list.

import type { QueryClient } from "@tanstack/react-query";

import { api, freshAccessToken, onAccessToken } from "./api";
import { applyAck, applyEvent, markFailed, outbox, positions } from "./chat-state";
import { Realtime, type Frame, type Status } from "./realtime";
import { DeliveryReceipts } from "./receipts";
import { getChat, updateChat } from "./store";
import type { Message, OrderedEvent } from "./types";

let realtime: Realtime | null = null;
let stopReauth: () => void = () => undefined;
let statusListener: (s: Status) => void = () => undefined;
const subscribers = new Map<string, Set<(f: Frame) => void>>();

/** Listens to frames of one type (typing, presence, notification.new...). */
export function subscribe(type: string, f: (frame: Frame) => void): () => void {
  const set = subscribers.get(type) ?? new Set();
  set.add(f);
  subscribers.set(type, set);
  return () => set.delete(f);
}

export function sendTyping(conversationId: string, state: "start" | "stop"): void {
  realtime?.send({ type: "typing", conversation_id: conversationId, state });
}

export function onStatus(f: (s: Status) => void): void {
  statusListener = f;
}

// Sends written to the current socket and not yet acknowledged or refused. A new
// socket starts empty: after a reconnect everything pending goes out again, and
// the server's idempotency by client_msg_id makes that safe.
const inFlight = new Set<string>();

function flushOutbox(): void {
  for (const p of outbox(getChat(), inFlight)) {
    const sent = realtime?.send({ type: "send", ref: p.client_msg_id, conversation_id: p.conversation_id, client_msg_id: p.client_msg_id, body: p.body, reply_to: p.reply_to, attachment_ids: (p.files ?? []).map((f) => f.id) });
    if (sent) inFlight.add(p.client_msg_id);
  }
}

// Delivery receipts (docs/protocol.md, `delivered`): what reached this device from
// others, said per direct conversation at most every 250 ms; in groups "seen by"
// stands instead. A conversation's kind comes from the cached list, or else from
// the conversation itself, fetched once (the chat view's query); what could not
// go out (offline) goes at the next resume.
const receipts = new DeliveryReceipts();
let receiptTimer: ReturnType<typeof setTimeout> | null = null;
let listCache: QueryClient | null = null;

type Kind = { kind: "direct" | "group" };

function kindOf(conversationId: string): Kind["kind"] | undefined {
  const list = listCache?.getQueryData<{ items: ({ id: string } & Kind)[] }>(["conversations"]);
  return list?.items.find((c) => c.id === conversationId)?.kind ?? listCache?.getQueryData<Kind>(["conversation", conversationId])?.kind;
}

function flushReceipts(): void {
  if (receiptTimer) clearTimeout(receiptTimer);
  receiptTimer = null;
  const unknown = receipts.flush(
    (id) => {
      const kind = kindOf(id);
      return kind === undefined ? undefined : kind === "direct";
    },
    (id, seq) => realtime?.send({ type: "delivered", ref: `delivered:${id}`, conversation_id: id, seq }) ?? false,
  );
  for (const id of unknown) {
    void listCache
      ?.fetchQuery({ queryKey: ["conversation", id], queryFn: () => api<Kind>(`/conversations/${id}`), staleTime: 60_000 })
      .then(flushReceipts, () => receipts.forget(id));
  }
}

function owe(conversationId: string, seq: number): void {
  receipts.received(conversationId, seq);
  if (!receiptTimer) receiptTimer = setTimeout(flushReceipts, 250);
}

// Invalidations of one list that come together (a replay, a burst of messages)
// cost one refetch, and never cancel one already in flight: on load the list was
// fetched four times over, once per kind of event that touched it.
const due = new Map<string, ReturnType<typeof setTimeout>>();
function refresh(queries: QueryClient, key: string[]): void {
  const id = key.join("/");
  if (due.has(id)) return;
  due.set(
    id,
    setTimeout(() => {
      due.delete(id);
      void queries.invalidateQueries({ queryKey: key }, { cancelRefetch: false });
    }, 150),
  );
}

type Summary = { members: { user_id: string; presence?: unknown }[] };

/** A presence change edits the cached lists in place: refetching every
 * conversation for one dot would cost a request per friend coming online. */
function applyPresence(queries: QueryClient, f: Frame): void {
  queries.setQueryData<{ items: Summary[] }>(["conversations"], (old) =>
    old && {
      ...old,
      items: old.items.map((c) => ({ ...c, members: c.members.map((m) => (m.user_id === f.user_id ? { ...m, presence: f.presence } : m)) })),
    },
  );
  refresh(queries, ["friends"]);
}

export function startLive(queries: QueryClient): void {
  realtime?.stop();
  listCache = queries;
  // The first resume of a page brings what the lists fetched at load already
  // show; later ones (after a reconnect) may bring news.
  let resumedOnce = false;
  realtime = new Realtime({
    token: (renewed) => freshAccessToken(renewed),
    positions: () => positions(getChat()),
    onStatus: (s) => statusListener(s),
    onResumed: () => {
      inFlight.clear();
      if (resumedOnce) refresh(queries, ["conversations"]);
      resumedOnce = true;
      flushOutbox();
      flushReceipts();
    },
    onFrame: (f: Frame) => {
      for (const s of subscribers.get(f.type) ?? []) s(f);
      if (f.type === "presence") applyPresence(queries, f);
      if (f.type === "notification.new") {
        // A friend request accepted, an invitation: the lists they change.
        for (const key of ["notifications", "friend-requests", "invitations", "friends"]) refresh(queries, [key]);
      }
      if (f.type === "ack" && f.for === "send") {
        inFlight.delete((f.message as Message).client_msg_id);
        updateChat((s) => applyAck(s, f.message as Message));
      } else if (f.type === "error" && typeof f.ref === "string") {
        const ref = f.ref;
        inFlight.delete(ref);
        if (f.code === "too_many_requests" && typeof f.retry_after === "number") {
          // Over the send rate: the message stays pending and goes out again
          // when the server says it may.
          setTimeout(flushOutbox, f.retry_after * 1000);
          return;
        }
        updateChat((s) => {
          const c = Object.entries(s.conversations).find(([, c]) => c.pending.some((p) => p.client_msg_id === ref));
          return c ? markFailed(s, c[0], ref, typeof f.message === "string" ? f.message : undefined) : s;
        });
      } else if (typeof f.ev === "number" && typeof f.conversation_id === "string") {
        updateChat((s) => applyEvent(s, f as unknown as OrderedEvent));
        const m = f.type === "message.new" ? (f.message as Message) : null;
        if (m && m.sender_id !== getChat().me) owe(m.conversation_id, m.seq);
        if (resumedOnce) refresh(queries, ["conversations"]);
        if (f.type === "conversation.updated" || f.type === "read") void queries.invalidateQueries({ queryKey: ["conversation", f.conversation_id] });
      }
    },
  });
  stopReauth();
  stopReauth = onAccessToken((t) => realtime?.reauth(t));
  realtime.start();
}

export function stopLive(): void {
  stopReauth();
  realtime?.stop();
  realtime = null;
}

/** Sends what is in the outbox now (after the user typed something). */
export function sendNow(): void {
  flushOutbox();
}
