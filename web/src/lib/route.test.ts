import { describe, expect, it } from "vitest";

import { parseRoute, routePath, type Route } from "./route";

const ID = "0195f2c4-7b1e-7d2a-9c1b-3f4e5d6a7b8c";

describe("addresses", () => {
  it("every screen has an address that reads back as itself", () => {
    const routes: Route[] = [{ view: "chats", conversation: null }, { view: "chats", conversation: ID }, { view: "friends" }, { view: "profile" }, { view: "admin" }];
    for (const r of routes) expect(parseRoute(routePath(r))).toEqual(r);
    expect(routePath({ view: "chats", conversation: ID })).toBe(`/c/${ID}`);
  });

  it("links from notifications and mail keep working", () => {
    expect(parseRoute("/", `?conversation=${ID}`)).toEqual({ view: "chats", conversation: ID });
    expect(parseRoute("/", "?page=friends")).toEqual({ view: "friends" });
  });

  it("anything else is the chat list", () => {
    const cases: [string, string][] = [["/nowhere", ""], ["/c/", ""], ["/c/<script>", ""], ["/friends/extra", ""], ["/", "?page=evil"], ["/", "?conversation=a%20b"]];
    for (const [path, search] of cases)
      expect(parseRoute(path, search)).toEqual({ view: "chats", conversation: null });
  });
});
