import { describe, expect, it } from "vitest";

import { complete, mentionAt, suggestions } from "./mentions";

const people = [
  { user_id: "1", username: "ann", full_name: "Ann Archer" },
  { user_id: "2", username: "ben", full_name: "Ben Baker" },
  { user_id: "3", username: "barbara", full_name: "Barbara Ann Cole" },
  { user_id: "me", username: "mia", full_name: "Mia Me" },
];

describe("mention autocomplete", () => {
  it("finds the @name before the caret, not an address", () => {
    expect(mentionAt("hi @an", 6)).toEqual({ start: 3, query: "an" });
    expect(mentionAt("@", 1)).toEqual({ start: 0, query: "" });
    expect(mentionAt("mail me@ex", 10)).toBeNull();
    expect(mentionAt("hi @ann there", 13)).toBeNull();
    expect(mentionAt("hi @An x", 6)).toEqual({ start: 3, query: "an" });
  });

  it("suggests usernames first, then names, never yourself", () => {
    expect(suggestions(people, "an", "me").map((c) => c.username)).toEqual(["ann", "barbara"]);
    expect(suggestions(people, "b", "me").map((c) => c.username)).toEqual(["barbara", "ben"]);
    expect(suggestions(people, "", "me").map((c) => c.username)).toEqual(["ann", "barbara", "ben"]);
    expect(suggestions(people, "mi", "me")).toEqual([]);
  });

  it("puts the username in with one space after it", () => {
    expect(complete("hi @an", 6, { start: 3, query: "an" }, "ann")).toEqual({ text: "hi @ann ", caret: 8 });
    expect(complete("hi @b see", 5, { start: 3, query: "b" }, "ben")).toEqual({ text: "hi @ben see", caret: 8 });
  });
});
