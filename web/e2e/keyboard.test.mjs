// Keyboard shortcuts (issue 15): ↑ edits your last message, Esc cancels,
// Ctrl+K goes to the conversation search, `?` shows the sheet and Esc closes it.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { composer, inChat, launch, openChatWith, person, say } from "./people.mjs";
import { startServer } from "./server.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => browser?.close());

const focused = (page) => page.evaluate(() => document.activeElement?.getAttribute("aria-label"));

test("↑ edits the last message, Esc cancels, Ctrl+K jumps to search, ? shows the shortcuts", async () => {
  const server = await startServer(["--messaging-policy", "open"]);
  try {
    const ann = await person(browser, server.base, "ann", "Ann Archer");
    await person(browser, server.base, "ben", "Ben Baker");
    await openChatWith(ann, "ben", "Ben Baker");
    await say(ann, "helo wrold");
    await inChat(ann, "helo wrold").waitFor();

    // ↑ in the empty box takes the last message back for editing; Esc lets go.
    const box = composer(ann);
    await box.focus();
    await ann.keyboard.press("ArrowUp");
    assert.equal(await box.inputValue(), "helo wrold");
    await ann.getByText("Editing your message").waitFor();
    await ann.keyboard.press("Escape");
    assert.equal(await box.inputValue(), "");
    await ann.getByText("Editing your message").waitFor({ state: "detached" });

    // Again, and this time save the correction.
    await ann.keyboard.press("ArrowUp");
    await box.fill("hello world");
    await ann.keyboard.press("Enter");
    await inChat(ann, "hello world").waitFor();
    await inChat(ann, "helo wrold").waitFor({ state: "detached" });

    // Ctrl+K: the search box, from anywhere (here: the Friends page).
    await ann.getByRole("button", { name: "Friends" }).click();
    await ann.keyboard.press("Control+k");
    await ann.waitForFunction(() => document.activeElement?.getAttribute("aria-label") === "Search conversations and people");
    assert.equal(await focused(ann), "Search conversations and people");

    // `?` while typing is just a character; outside a field it opens the sheet.
    await ann.keyboard.type("?");
    assert.equal(await ann.getByLabel("Search conversations and people").inputValue(), "?");
    await ann.getByLabel("Search conversations and people").fill("");
    await ann.locator("body").click({ position: { x: 600, y: 700 } });
    await ann.keyboard.press("?");
    const sheet = ann.getByRole("dialog", { name: "Keyboard shortcuts" });
    await sheet.waitFor();
    assert.ok((await sheet.textContent()).includes("Edit your last message"));
    await ann.keyboard.press("Escape");
    await sheet.waitFor({ state: "detached" });
    assert.deepEqual(ann.errors, []);
  } finally {
    await server.stop();
  }
});
