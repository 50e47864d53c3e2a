import { describe, expect, it } from "vitest";

import { FOREVER, muteLabel } from "./mute";

describe("muteLabel", () => {
  const now = new Date("2026-12-03T10:00:00Z");
  it("says nothing when not muted or when the mute has run out", () => {
    expect(muteLabel(null, now)).toBeNull();
    expect(muteLabel("2026-12-03T09:59:00Z", now)).toBeNull();
  });
  it("says muted for good without a date", () => {
    expect(muteLabel(FOREVER, now)).toBe("Muted");
  });
  it("says until when, as a time today or a day later", () => {
    expect(muteLabel("2026-12-03T11:00:00Z", now)).toMatch(/^Muted until \d\d:\d\d/);
    expect(muteLabel("2026-12-10T11:00:00Z", now)).toMatch(/^Muted until .*Dec/);
  });
});
