import { afterEach, describe, expect, it, vi } from "vitest";

import { signedUrl } from "./signed-urls";

afterEach(() => vi.unstubAllGlobals());

describe("signed URL batching", () => {
  it("sends the ids asked for together as one request, at most 100 at a time", async () => {
    const bodies: string[][] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (url: string, init: { body: string }) => {
        const ids = (JSON.parse(init.body) as { ids: string[] }).ids;
        bodies.push([url, ...ids]);
        // "x" is one the caller may not read: the server leaves it out.
        const urls = ids.filter((id) => id !== "x").map((id) => ({ id, url: `/u/${id}`, expires_at: 1 }));
        return new Response(JSON.stringify(urls), { status: 200 });
      }),
    );
    const ids = Array.from({ length: 150 }, (_, i) => `f${i}`);
    const got = await Promise.all([...ids.map((id) => signedUrl("files", id)), signedUrl("files", "x"), signedUrl("avatars", "a1")]);
    expect(got[0]).toMatchObject({ id: "f0", url: "/u/f0" });
    expect(got[149]).toMatchObject({ id: "f149" });
    expect(got[150]).toBeNull();
    expect(got[151]).toMatchObject({ url: "/u/a1" });
    const files = bodies.filter((b) => b[0] === "/api/v1/files/urls");
    expect(files.map((b) => b.length - 1)).toEqual([100, 51]);
    expect(bodies.filter((b) => b[0] === "/api/v1/avatars/urls")).toHaveLength(1);
  });
});
