import { describe, expect, it } from "vitest";

import type { Shown } from "./chat-state";
import { lastEditable, typingIn } from "./shortcuts";

const msg = (key: string, over: Partial<Shown> = {}, message: Record<string, unknown> = {}): Shown =>
  ({
    key,
    seq: 1,
    body: key,
    mine: true,
    status: "sent",
    message: { id: key, kind: "text", deleted_at: null, ...message },
    ...over,
  }) as Shown;

describe("lastEditable", () => {
  it("is your latest stored text message", () => {
    const list = [msg("a"), msg("b"), msg("theirs", { mine: false })];
    expect(lastEditable(list)?.key).toBe("b");
  });
  it("skips deleted, system and still-pending messages", () => {
    const list = [
      msg("ok"),
      msg("gone", {}, { deleted_at: "2026-12-03T10:00:00Z" }),
      msg("note", {}, { kind: "system" }),
      msg("pending", { status: "pending", message: undefined, seq: null }),
    ];
    expect(lastEditable(list)?.key).toBe("ok");
  });
  it("is nothing when you have written nothing", () => {
    expect(lastEditable([msg("theirs", { mine: false })])).toBeUndefined();
  });
});

describe("typingIn", () => {
  it("is false for no target or one that is not an element", () => {
    expect(typingIn(null)).toBe(false);
    expect(typingIn({} as EventTarget)).toBe(false);
  });
  it("asks the element whether it is inside a field", () => {
    const inField = { closest: (s: string) => (s.includes("textarea") ? {} : null) } as unknown as EventTarget;
    const outside = { closest: () => null } as unknown as EventTarget;
    expect(typingIn(inField)).toBe(true);
    expect(typingIn(outside)).toBe(false);
  });
});
