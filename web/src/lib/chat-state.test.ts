import { describe, expect, it } from "vitest";

import {
  addPending,
  applyAck,
  applyEvent,
  initialState,
  discardPending,
  markFailed,
  markRetrying,
  mergeHistory,
  oldestSeq,
  outbox,
  positions,
  removeFile,
  updateFile,
  unreadCount,
  visible,
} from "./chat-state";
import type { Message } from "./types";

const ME = "me";
const C = "c1";

function msg(seq: number, over: Partial<Message> = {}): Message {
  return {
    id: `m${seq}`,
    conversation_id: C,
    seq,
    ev: seq,
    sender_id: "ann",
    client_msg_id: `cm${seq}`,
    kind: "text",
    body: `hello ${seq}`,
    reply_to: null,
    created_at: new Date(1_700_000_000_000 + seq).toISOString(),
    edited_at: null,
    deleted_at: null,
    ...over,
  };
}

const newEvent = (m: Message) => ({ type: "message.new" as const, conversation_id: C, ev: m.ev, message: m });

describe("optimistic send", () => {
  it("shows a typed message at once, then exactly one message after the ack", () => {
    let s = addPending(initialState(ME), { client_msg_id: "x1", conversation_id: C, body: "hi", reply_to: null, created_at: "2026-01-01T00:00:00Z" });
    expect(visible(s, C)).toMatchObject([{ body: "hi", status: "pending", seq: null }]);
    s = applyAck(s, msg(1, { sender_id: ME, client_msg_id: "x1", body: "hi" }));
    expect(visible(s, C)).toMatchObject([{ body: "hi", status: "sent", seq: 1, mine: true }]);
  });

  it("merges when the event for my own message arrives before the ack", () => {
    let s = addPending(initialState(ME), { client_msg_id: "x1", conversation_id: C, body: "hi", reply_to: null, created_at: "t" });
    const mine = msg(1, { sender_id: ME, client_msg_id: "x1", body: "hi" });
    s = applyEvent(s, newEvent(mine));
    s = applyAck(s, mine);
    expect(visible(s, C)).toHaveLength(1);
    expect(visible(s, C)[0]).toMatchObject({ status: "sent", seq: 1 });
  });

  it("keeps a failed send with its client_msg_id for the retry", () => {
    let s = addPending(initialState(ME), { client_msg_id: "x1", conversation_id: C, body: "hi", reply_to: null, created_at: "t" });
    s = markFailed(s, C, "x1", "too long");
    expect(visible(s, C)[0]).toMatchObject({ status: "failed", key: "x1", error: "too long" });
    expect(outbox(s)).toHaveLength(0);
    s = markRetrying(s, C, "x1");
    expect(outbox(s).map((p) => p.client_msg_id)).toEqual(["x1"]);
    // The retry is acknowledged as a duplicate of an earlier delivery: still one.
    s = applyAck(s, msg(1, { sender_id: ME, client_msg_id: "x1" }));
    s = applyAck(s, msg(1, { sender_id: ME, client_msg_id: "x1" }));
    expect(visible(s, C)).toHaveLength(1);
  });

  it("sends the outbox in the order typed", () => {
    let s = initialState(ME);
    for (const [i, body] of ["one", "two", "three"].entries()) {
      s = addPending(s, { client_msg_id: `x${i}`, conversation_id: C, body, reply_to: null, created_at: `2026-01-01T00:00:0${i}Z` });
    }
    expect(outbox(s).map((p) => p.body)).toEqual(["one", "two", "three"]);
    // What is already on the wire is not sent again until a new connection.
    expect(outbox(s, new Set(["x0", "x2"])).map((p) => p.body)).toEqual(["two"]);
    expect(addPending(s, { client_msg_id: "x0", conversation_id: C, body: "again", reply_to: null, created_at: "z" })).toBe(s);
  });
});

describe("events and resume", () => {
  it("applies each event once and ignores anything at or below the position", () => {
    let s = initialState(ME);
    s = applyEvent(s, newEvent(msg(1)));
    s = applyEvent(s, newEvent(msg(2)));
    const again = applyEvent(s, newEvent(msg(2)));
    expect(again).toBe(s);
    expect(applyEvent(s, newEvent(msg(1)))).toBe(s);
    expect(visible(s, C).map((m) => m.seq)).toEqual([1, 2]);
    expect(positions(s)).toEqual({ c1: 2 });
  });

  it("merges a replay of current state (an edited message arrives once, edited)", () => {
    let s = applyEvent(initialState(ME), newEvent(msg(1)));
    // While away: message 2 was sent (ev 2) then edited (ev 3); replay sends it once at ev 3.
    s = applyEvent(s, { type: "message.new", conversation_id: C, ev: 3, message: msg(2, { ev: 3, body: "edited", edited_at: "t" }) });
    // The live copy of the original send, delivered late, is older and ignored.
    s = applyEvent(s, newEvent(msg(2)));
    expect(visible(s, C).map((m) => m.body)).toEqual(["hello 1", "edited"]);
    // History from REST never moves the position or overwrites newer state.
    s = mergeHistory(s, C, [msg(1), msg(2)]);
    expect(positions(s)).toEqual({ c1: 3 });
    expect(visible(s, C)[1]?.body).toBe("edited");
  });

  it("shows a deleted message as a tombstone in its place", () => {
    let s = applyEvent(applyEvent(initialState(ME), newEvent(msg(1))), newEvent(msg(2)));
    s = applyEvent(s, { type: "message.deleted", conversation_id: C, ev: 3, message: msg(1, { ev: 3, body: null, deleted_at: "t" }) });
    expect(visible(s, C).map((m) => [m.seq, m.body])).toEqual([[1, null], [2, "hello 2"]]);
  });
});

describe("older history", () => {
  it("pages back from the oldest loaded message, whatever order pages came in", () => {
    expect(oldestSeq(initialState(ME), C)).toBeNull();
    let s = mergeHistory(initialState(ME), C, [msg(60), msg(61)]);
    s = mergeHistory(s, C, [msg(12), msg(13)]);
    s = applyEvent(s, newEvent(msg(62)));
    expect(oldestSeq(s, C)).toBe(12);
  });
});

describe("unread counting", () => {
  it("counts others' live messages after my read marker", () => {
    let s = initialState(ME);
    for (let i = 1; i <= 4; i++) s = applyEvent(s, newEvent(msg(i)));
    s = applyEvent(s, newEvent(msg(5, { sender_id: ME })));
    expect(unreadCount(s, C)).toBe(4);
    s = applyEvent(s, { type: "read", conversation_id: C, ev: 6, user_id: ME, seq: 2 });
    expect(unreadCount(s, C)).toBe(2);
    s = applyEvent(s, { type: "message.deleted", conversation_id: C, ev: 7, message: msg(4, { ev: 7, body: null, deleted_at: "t" }) });
    expect(unreadCount(s, C)).toBe(1);
    // A read receipt of someone else does not change mine.
    s = applyEvent(s, { type: "read", conversation_id: C, ev: 8, user_id: "ann", seq: 5 });
    expect(unreadCount(s, C)).toBe(1);
  });

  it("discards a failed send for good", () => {
    let s = addPending(initialState(ME), { client_msg_id: "x2", conversation_id: C, body: "way too long", reply_to: null, created_at: "t" });
    s = markFailed(s, C, "x2", "too long");
    s = discardPending(s, C, "x2");
    expect(visible(s, C)).toHaveLength(0);
    expect(outbox(s)).toHaveLength(0);
  });
});

describe("messages with files", () => {
  const file = (key: string) => ({ key, name: `${key}.png`, size: 100, mime: "image/png", loaded: 0 });
  const withFiles = (id: string, body: string, keys: string[], at: string) =>
    ({ client_msg_id: id, conversation_id: C, body, reply_to: null, created_at: at, files: keys.map(file) });

  it("waits until every file is uploaded, and holds back what was typed after it", () => {
    let s = addPending(initialState(ME), withFiles("f1", "", ["a", "b"], "2026-01-01T00:00:01Z"));
    s = addPending(s, { client_msg_id: "t2", conversation_id: C, body: "after", reply_to: null, created_at: "2026-01-01T00:00:02Z" });
    expect(outbox(s)).toHaveLength(0);
    s = updateFile(s, C, "f1", "a", { id: "up-a", loaded: 100 });
    expect(outbox(s)).toHaveLength(0);
    s = updateFile(s, C, "f1", "b", { id: "up-b", loaded: 100 });
    expect(outbox(s).map((p) => p.client_msg_id)).toEqual(["f1", "t2"]);
    expect(outbox(s)[0]?.files?.map((f) => f.id)).toEqual(["up-a", "up-b"]);
    expect(visible(s, C)[0]?.files?.[0]).toMatchObject({ loaded: 100, id: "up-a" });
  });

  it("a failed upload fails its message and lets the others go", () => {
    let s = addPending(initialState(ME), withFiles("f1", "caption", ["a"], "2026-01-01T00:00:01Z"));
    s = addPending(s, { client_msg_id: "t2", conversation_id: C, body: "after", reply_to: null, created_at: "2026-01-01T00:00:02Z" });
    s = updateFile(s, C, "f1", "a", { error: "too large" });
    s = markFailed(s, C, "f1", "a.png did not upload: too large");
    expect(outbox(s).map((p) => p.client_msg_id)).toEqual(["t2"]);
    expect(visible(s, C)[0]).toMatchObject({ status: "failed", error: "a.png did not upload: too large" });
  });

  it("cancelling a file keeps the message while it has text or files, and drops it after", () => {
    let s = addPending(initialState(ME), withFiles("f1", "", ["a", "b"], "t"));
    s = removeFile(s, C, "f1", "a");
    expect(visible(s, C)[0]?.files?.map((f) => f.key)).toEqual(["b"]);
    s = removeFile(s, C, "f1", "b");
    expect(visible(s, C)).toHaveLength(0);
    let t = addPending(initialState(ME), withFiles("f2", "keep me", ["a"], "t"));
    t = removeFile(t, C, "f2", "a");
    expect(outbox(t).map((p) => p.body)).toEqual(["keep me"]);
  });
});
