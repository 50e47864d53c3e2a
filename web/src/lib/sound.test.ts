import { describe, expect, it } from "vitest";

import { shouldChime } from "./sound";

describe("new-message chime", () => {
  it("only when wanted, in the background, from someone else, not muted", () => {
    const base = { wanted: true, hidden: true, mine: false, muted: false };
    expect(shouldChime(base)).toBe(true);
    expect(shouldChime({ ...base, wanted: false })).toBe(false);
    expect(shouldChime({ ...base, hidden: false })).toBe(false);
    expect(shouldChime({ ...base, mine: true })).toBe(false);
    expect(shouldChime({ ...base, muted: true })).toBe(false);
  });
});
