import { describe, expect, it } from "vitest";

import { systemText } from "./system-notes";

const ann = "u-ann";
const me = "u-me";

describe("system notes in words", () => {
  it("names the actor and the member, and says 'you' for the reader", () => {
    expect(systemText({ event: "member_added", actor_name: "Ann", user_id: "u-cat", user_name: "Cat" }, ann, me)).toBe("Ann added Cat");
    expect(systemText({ event: "member_added", actor_name: "Me", user_id: "u-cat", user_name: "Cat" }, me, me)).toBe("You added Cat");
    expect(systemText({ event: "member_removed", actor_name: "Ann", user_id: me, user_name: "Me" }, ann, me)).toBe("Ann removed you");
  });
  it("says who owns the group after the owner left", () => {
    expect(systemText({ event: "member_left", actor_name: "Ann" }, ann, me)).toBe("Ann left");
    expect(systemText({ event: "member_left", actor_name: "Ann", new_owner: "u-dan", new_owner_name: "Dan" }, ann, me)).toBe("Ann left; Dan is now the owner");
    expect(systemText({ event: "member_left", actor_name: "Ann", new_owner: me, new_owner_name: "Me" }, ann, me)).toBe("Ann left; you are now the owner");
  });
  it("says who joined on whose invitation", () => {
    expect(systemText({ event: "member_joined", actor_name: "Ben", invited_by: me, invited_by_name: "Me" }, "u-ben", me)).toBe("Ben joined, invited by you");
    expect(systemText({ event: "member_joined", actor_name: "Me", invited_by: ann, invited_by_name: "Ann" }, me, me)).toBe("You joined, invited by Ann");
  });
  it("tells of a new group picture", () => {
    expect(systemText({ event: "picture_changed", actor_name: "Ann", removed: false }, ann, me)).toBe("Ann changed the group picture");
    expect(systemText({ event: "picture_changed", actor_name: "Me", removed: true }, me, me)).toBe("You removed the group picture");
  });
  it("quotes a new name", () => {
    expect(systemText({ event: "renamed", actor_name: "Ann", name: "Ward 2" }, ann, me)).toBe("Ann renamed the group to “Ward 2”");
  });
});
