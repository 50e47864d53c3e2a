import { describe, expect, it } from "vitest";

import { badgeTitle, faviconSvg } from "./tab-badge";

describe("tab badge", () => {
  it("puts the unread total in the title", () => {
    expect(badgeTitle(0)).toBe("Confab");
    expect(badgeTitle(3)).toBe("(3) Confab");
    expect(badgeTitle(250)).toBe("(99+) Confab");
  });
  it("draws a badge on the favicon only when there is something unread", () => {
    expect(faviconSvg(0)).not.toContain("circle");
    expect(faviconSvg(4)).toContain(">4</text>");
    expect(faviconSvg(12)).toContain(">9+</text>");
  });
});
