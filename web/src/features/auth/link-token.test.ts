import { describe, expect, it } from "vitest";

import { linkToken } from "./AccountLinks";

describe("linkToken", () => {
  it("reads the token from a mailed link's fragment", () => {
    expect(linkToken("#token=abc_DEF-123")).toBe("abc_DEF-123");
    expect(linkToken("token=xyz")).toBe("xyz");
  });
  it("is empty when the fragment has none", () => {
    expect(linkToken("")).toBe("");
    expect(linkToken("#other=1")).toBe("");
  });
});
