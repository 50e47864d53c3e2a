import { describe, expect, it } from "vitest";

import { keyBytes, target } from "./push";

describe("push helpers", () => {
  it("decodes the server's base64url key to bytes", () => {
    expect(Array.from(keyBytes("BAEC_w"))).toEqual([4, 1, 2, 255]);
  });
  it("reads where a pushed link goes", () => {
    expect(target("/?conversation=abc")).toEqual({ conversation: "abc" });
    expect(target("/?page=friends")).toEqual({ page: "friends" });
    expect(target("/")).toBeNull();
  });
});
