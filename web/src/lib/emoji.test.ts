import { describe, expect, it } from "vitest";

import { emojiName, findEmoji, insertAt, QUICK_REACTIONS, reactedBy } from "./emoji";

describe("emoji", () => {
  it("every quick reaction has a name, and search finds by name", () => {
    for (const e of QUICK_REACTIONS) expect(emojiName(e)).not.toBe(e);
    expect(findEmoji("heart").map((e) => e.emoji)).toEqual(["😍", "❤️", "💙", "💚", "💔"]);
    expect(findEmoji("").length).toBeGreaterThan(40);
  });

  it("inserts at the caret, replacing a selection", () => {
    expect(insertAt("hi there", 2, 2, "👋")).toEqual({ text: "hi👋 there", caret: 2 + "👋".length });
    expect(insertAt("hi there", 3, 8, "🙂")).toEqual({ text: "hi 🙂", caret: 3 + "🙂".length });
  });

  it("says who reacted", () => {
    const names = { b: "Ben Baker", c: "Cat Cole" };
    expect(reactedBy(["me"], "me", names)).toBe("You");
    expect(reactedBy(["me", "b", "c"], "me", names)).toBe("You, Ben Baker and Cat Cole");
    expect(reactedBy(["b", "x"], "me", names)).toBe("Ben Baker and someone");
  });
});
