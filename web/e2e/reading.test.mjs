// Reading a conversation (issue 15's defects): jumping to a first unread message
// older than the loaded page, and no "New messages" divider during a live chat.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { inChat, launch, openChatWith, PASSWORD, person as newPerson, say } from "./people.mjs";
import { startServer } from "./server.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => browser?.close());
const person = (...args) => newPerson(browser, ...args);

/** Sends as `username` through the REST API, the way another client would. */
async function sender(base, username) {
  const login = await fetch(`${base}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username, password: PASSWORD }) });
  const { access_token: token } = await login.json();
  return async (conversationId, body) => {
    const r = await fetch(`${base}/api/v1/conversations/${conversationId}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ client_msg_id: crypto.randomUUID(), body }),
    });
    assert.equal(r.status, 201, await r.text());
  };
}

const messages = (page) => page.getByRole("list", { name: "Messages" });

/** The open conversation's id, from the messages the page fetched. */
const openConversation = (page) => page.waitForRequest((r) => /\/conversations\/[^/]+\/messages\?/.test(r.url())).then((r) => r.url().match(/conversations\/([^/]+)\/messages/)[1]);

test("Jump to first unread loads back to an unread message older than the loaded page", async () => {
  const server = await startServer(["--messaging-policy", "open"]);
  try {
    const ann = await person(server.base, "ann", "Ann Archer");
    const ben = await person(server.base, "ben", "Ben Baker");
    const opened = openConversation(ann);
    await openChatWith(ann, "ben", "Ben Baker");
    await say(ann, "before you left");
    const id = await opened;
    await ben.getByRole("button", { name: /Ann Archer/ }).first().click();
    await inChat(ben, "before you left").waitFor();
    await ann.getByText("Seen").waitFor();
    // Ben looks elsewhere while 80 messages arrive: more than the first page (50).
    await ben.getByRole("button", { name: "Friends" }).click();
    const send = await sender(server.base, "ann");
    for (let i = 1; i <= 80; i++) await send(id, `unread number ${i}`);

    // He comes back the next morning: a fresh page holds the newest page only.
    // The chat's summary (which says where unread starts) answers after its
    // messages have arrived, as it may on a slow link: opening the chat must
    // not mark them read before the client has learned they were unread.
    await ben.route((url) => url.pathname === `/api/v1/conversations/${id}`, async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      await route.continue();
    });
    await ben.goto(server.base);
    await ben.getByRole("button", { name: /Ann Archer/ }).first().click();
    await messages(ben).getByText("unread number 80", { exact: true }).waitFor();
    assert.equal(await messages(ben).getByText("unread number 1", { exact: true }).count(), 0, "the first unread is not on the first page");
    await ben.getByRole("button", { name: "Jump to first unread" }).click();
    const divider = ben.getByRole("separator").filter({ hasText: "New messages" });
    await divider.waitFor({ timeout: 5_000 });
    await messages(ben).getByText("unread number 1", { exact: true }).waitFor();
    // In view, not merely loaded.
    await ben.waitForFunction(() => {
      const r = document.getElementById("first-unread")?.getBoundingClientRect();
      const list = document.querySelector("[aria-label='Messages']").getBoundingClientRect();
      return r && r.top >= list.top && r.bottom <= list.bottom;
    });
    assert.deepEqual([...ann.errors, ...ben.errors], []);
  } finally {
    await server.stop();
  }
});

test("no 'New messages' divider appears while the chat is open and being read", async () => {
  const server = await startServer(["--messaging-policy", "open"]);
  try {
    const ann = await person(server.base, "ann", "Ann Archer");
    const ben = await person(server.base, "ben", "Ben Baker");
    // Ben starts the chat: nothing in it is unread for him when it opens.
    await openChatWith(ben, "ann", "Ann Archer");
    await say(ben, "hello");
    await ann.getByRole("button", { name: /Ben Baker/ }).first().click();
    await inChat(ann, "hello").waitFor();
    await ben.getByText("Seen").waitFor();

    // A slow network: Ben's read marker is on its way when his client refreshes
    // the conversation (Ann's own read marker moved), which still counts one unread.
    await ben.route(/\/read$/, async (route) => {
      await new Promise((r) => setTimeout(r, 1_500));
      await route.continue();
    });
    const refreshed = ben.waitForResponse((r) => /\/api\/v1\/conversations\/[^/?]+$/.test(new URL(r.url()).pathname) && r.request().method() === "GET");
    await say(ann, "are you still there?");
    await inChat(ben, "are you still there?").waitFor();
    await refreshed;
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await ben.getByRole("separator").filter({ hasText: "New messages" }).count(), 0, "no divider in a chat being read");
    assert.equal(await ben.getByRole("button", { name: "Jump to first unread" }).count(), 0);
    assert.deepEqual([...ann.errors, ...ben.errors], []);
  } finally {
    await server.stop();
  }
});
