import { describe, expect, it } from "vitest";

import { friendRequestHelps, policyText } from "./setup";

describe("messaging policy", () => {
  it("each policy is explained", () => {
    expect(policyText("friends")).toMatch(/friend request/);
    expect(policyText("care")).toMatch(/patients message their doctors/);
    expect(policyText("open")).toMatch(/anyone can message anyone/);
  });

  it("a friend request is offered only where it would open the chat", () => {
    expect(friendRequestHelps("friends", "messaging_not_allowed")).toBe(true);
    expect(friendRequestHelps("care", "messaging_not_allowed")).toBe(false);
    expect(friendRequestHelps("friends", "not_found")).toBe(false);
    expect(friendRequestHelps(undefined, "messaging_not_allowed")).toBe(false);
  });
});
