// A tab left open for longer than the access token lives: the live connection
// re-authenticates and keeps working, idle and busy; a deactivated user is
// signed out and told why.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { inChat, launch, person, say } from "./people.mjs";
import { startServer } from "./server.mjs";

const TTL = 30;
let browser;
before(async () => {
  browser = await launch();
});
after(async () => browser?.close());

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Exactly this message in the open conversation ("busy 1" is not "busy 10"). */
const message = (page, text) => page.getByRole("list", { name: "Messages" }).getByText(text, { exact: true });
const banner = (page) => page.getByRole("status").filter({ hasText: /Offline|Connecting/ });

test(`the chat keeps working for several ${TTL} s token lifetimes, idle and busy; deactivation signs out`, async () => {
  // The server re-checks each socket's token every 5 s, so an expired one is
  // noticed at once rather than after the default 30 s.
  const server = await startServer(["--messaging-policy", "open", "--access-token-ttl-secs", String(TTL), "--ws-recheck-secs", "5"]);
  try {
    const ann = await person(browser, server.base, "ann", "Ann Archer");
    const ben = await person(browser, server.base, "ben", "Ben Baker");
    await ann.getByLabel("Search conversations and people").fill("ben");
    await ann.getByRole("button", { name: /Ben Baker/ }).click();
    await say(ann, "hello before the first expiry");
    await ben.getByRole("button", { name: /Archer/ }).first().click();
    await inChat(ben, "hello before the first expiry").waitFor();

    // Idle for two and a half lifetimes: nothing but the socket is used.
    await sleep(TTL * 2500);
    await say(ann, "after an idle spell");
    await inChat(ben, "after an idle spell").waitFor({ timeout: 10_000 });
    await say(ben, "still here");
    await inChat(ann, "still here").waitFor({ timeout: 10_000 });

    // Busy for another lifetime and a half: a message every three seconds.
    const until = Date.now() + TTL * 1500;
    for (let n = 1; Date.now() < until; n++) {
      const [from, to] = n % 2 ? [ann, ben] : [ben, ann];
      await say(from, `busy ${n}`);
      await message(to, `busy ${n}`).waitFor({ timeout: 10_000 });
      await sleep(3000);
    }
    assert.equal(await banner(ann).count(), 0, "Ann is online");
    assert.equal(await banner(ben).count(), 0, "Ben is online");
    assert.equal(await ann.getByText("sending…").count(), 0, "nothing stuck");

    // Ben is deactivated by an admin: his open tab signs him out and says why.
    server.admin(["deactivate", "--username", "ben"]);
    await ben.getByRole("alert").filter({ hasText: /deactivated/ }).waitFor({ timeout: 20_000 });
    await ben.getByRole("button", { name: "Sign in" }).waitFor();
    assert.deepEqual([...ann.errors, ...ben.errors], []);
  } finally {
    await server.stop();
  }
});

test("the refresh token is kept where no script can read it, and a reload keeps the session", async () => {
  const server = await startServer([]);
  try {
    const ann = await person(browser, server.base, "ann", "Ann Archer");
    const seen = await ann.evaluate(() => ({ storage: { ...localStorage }, cookie: document.cookie }));
    assert.ok(!seen.cookie.includes("confab_refresh"), `document.cookie: ${seen.cookie}`);
    for (const [key, value] of Object.entries(seen.storage)) {
      assert.ok(value.length < 16, `nothing secret in localStorage: ${key}=${value}`);
    }
    const cookies = await ann.context().cookies();
    const refresh = cookies.find((c) => c.name === "confab_refresh");
    assert.ok(refresh, "the refresh cookie is set");
    assert.deepEqual([refresh.httpOnly, refresh.sameSite, refresh.path], [true, "Strict", "/api/v1/auth"]);

    await ann.reload();
    await ann.getByRole("navigation", { name: "Main" }).waitFor();
    // Signing out removes the cookie: a reload then shows the sign-in page.
    await ann.getByRole("button", { name: "Sign out" }).click();
    await ann.getByRole("button", { name: "Sign in" }).waitFor();
    assert.equal((await ann.context().cookies()).filter((c) => c.name === "confab_refresh").length, 0);
    await ann.reload();
    await ann.getByRole("button", { name: "Sign in" }).waitFor();
    assert.deepEqual(ann.errors, []);
  } finally {
    await server.stop();
  }
});
