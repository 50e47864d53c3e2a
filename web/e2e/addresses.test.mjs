// Addresses (issue 15): each conversation and page has a URL, a reload keeps the
// open chat, and the browser's back and forward buttons move between screens.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { inChat, launch, openChatWith, person as newPerson, say } from "./people.mjs";
import { startServer } from "./server.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => browser?.close());
const person = (...args) => newPerson(browser, ...args);
const path = (page) => new URL(page.url()).pathname;
const CHAT = /^\/c\/[0-9a-f-]{36}$/;

test("each screen has an address; reload keeps the chat; back and forward move between screens", async () => {
  const server = await startServer(["--messaging-policy", "open"]);
  try {
    const ann = await person(server.base, "ann", "Ann Archer");
    await person(server.base, "ben", "Ben Baker");
    assert.equal(path(ann), "/");
    await openChatWith(ann, "ben", "Ben Baker");
    await say(ann, "remember this chat");
    await inChat(ann, "remember this chat").waitFor();
    assert.match(path(ann), CHAT);
    const chat = path(ann);

    await ann.reload();
    await inChat(ann, "remember this chat").waitFor();
    assert.equal(path(ann), chat, "a reload keeps the open chat");

    await ann.getByRole("button", { name: "Friends" }).click();
    assert.equal(path(ann), "/friends");
    await ann.getByRole("button", { name: "Profile", exact: true }).click();
    assert.equal(path(ann), "/profile");
    await ann.reload();
    await ann.getByText("Appearance").waitFor();

    await ann.goBack();
    assert.equal(path(ann), "/friends");
    await ann.getByText("Your friends").first().waitFor();
    await ann.goBack();
    assert.equal(path(ann), chat);
    await inChat(ann, "remember this chat").waitFor();
    await ann.goForward();
    await ann.getByText("Your friends").first().waitFor();

    // Chats from another page returns to the chat that was open.
    await ann.getByRole("button", { name: "Chats" }).click();
    assert.equal(path(ann), chat);

    // A link from a notification or a mail opens its chat at its own address.
    const id = chat.split("/")[2];
    await ann.goto(`${server.base}/?conversation=${id}`);
    await inChat(ann, "remember this chat").waitFor();
    assert.equal(path(ann), chat);
    assert.equal(new URL(ann.url()).search, "");

    // An address of a conversation that is not yours says so.
    await ann.goto(`${server.base}/c/00000000-0000-4000-8000-000000000000`);
    await ann.getByRole("alert").filter({ hasText: "does not exist, or you are not in it" }).waitFor();
    await ann.getByRole("button", { name: "Back to conversations" }).click();
    assert.equal(path(ann), "/");

    // The admin page's address is not for a non-admin.
    await ann.goto(`${server.base}/admin`);
    await ann.getByRole("navigation", { name: "Main" }).waitFor();
    await ann.waitForURL((u) => u.pathname === "/");
    assert.deepEqual(ann.errors, []);
  } finally {
    await server.stop();
  }
});

test("on a phone, the back button leaves the chat for the list", async () => {
  const server = await startServer(["--messaging-policy", "open"]);
  try {
    await person(server.base, "ann", "Ann Archer");
    const ben = await person(server.base, "ben", "Ben Baker", { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
    await openChatWith(ben, "ann", "Ann Archer");
    await say(ben, "hi from the phone");
    await inChat(ben, "hi from the phone").waitFor();
    const search = ben.getByLabel("Search conversations and people");
    assert.equal(await search.isVisible(), false, "the chat covers the list");
    await ben.goBack();
    await search.waitFor({ state: "visible" });
    assert.equal(path(ben), "/");
    await ben.goForward();
    await inChat(ben, "hi from the phone").waitFor();
    assert.deepEqual(ben.errors, []);
  } finally {
    await server.stop();
  }
});
