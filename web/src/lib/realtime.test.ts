import { describe, expect, it } from "vitest";

import { Realtime } from "./realtime";

describe("reconnect backoff", () => {
  it("doubles from half a second up to thirty, with ±50 % jitter", () => {
    expect(Realtime.backoff(0, () => 0.5)).toBe(500);
    expect(Realtime.backoff(3, () => 0.5)).toBe(4000);
    expect(Realtime.backoff(20, () => 0.5)).toBe(30_000);
    expect(Realtime.backoff(2, () => 0)).toBe(1000);
    expect(Realtime.backoff(2, () => 0.999)).toBeLessThan(3000);
  });
});
