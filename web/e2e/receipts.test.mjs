// Delivery states (issue 15), as WhatsApp shows them: sending, sent (stored),
// delivered (reached one of the recipient's devices), seen; in a group "Seen by N"
// and who.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { inChat, launch, openChatWith, person as newPerson, say, SHOTS, LOOKS } from "./people.mjs";
import { startServer } from "./server.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => browser?.close());
/** People dressed in one of the looks (desktop light, phone dark). */
const dressed = (look) => (base, username, fullName, extra = {}) => newPerson(browser, base, username, fullName, { ...look.options, ...extra });

/** The delivery state shown on one of your messages. */
const stateOf = (page, text) => page.getByRole("list", { name: "Messages" }).locator("[data-status='sent']").filter({ hasText: text }).locator("[data-receipt]").getAttribute("data-receipt");

async function waitForState(page, text, state) {
  await page.getByRole("list", { name: "Messages" }).locator("[data-status='sent']").filter({ hasText: text }).locator(`[data-receipt='${state}']`).waitFor({ timeout: 10_000 });
}

for (const look of LOOKS)
  test(`a direct message goes sent, delivered (also after the recipient was offline), then seen (${look.name})`, async () => {
  const person = dressed(look);
  const server = await startServer(["--messaging-policy", "open"]);
  try {
    const ann = await person(server.base, "ann", "Ann Archer");
    const ben = await person(server.base, "ben", "Ben Baker");
    await openChatWith(ann, "ben", "Ben Baker");
    await say(ann, "first");
    // Ben is online but looking elsewhere: his device has it, he has not seen it.
    await ben.getByRole("button", { name: /Ann Archer/ }).first().waitFor();
    await ben.getByRole("button", { name: "Friends" }).click();
    await waitForState(ann, "first", "delivered");
    await ann.getByText("Delivered", { exact: true }).waitFor();
    assert.equal(await ann.getByRole("img", { name: "Delivered" }).count(), 1);

    // Ben's device is offline: stored, not delivered, until it is back.
    await ben.context().setOffline(true);
    await ben.getByText(/Offline|Connecting/).waitFor();
    await say(ann, "second");
    await waitForState(ann, "second", "sent");
    await new Promise((r) => setTimeout(r, 1_500));
    assert.equal(await stateOf(ann, "second"), "sent", "not delivered while his device is offline");
    await ben.context().setOffline(false);
    await waitForState(ann, "second", "delivered");

    // He opens the chat: seen.
    await ben.getByRole("button", { name: "Chats" }).click();
    await ben.getByRole("button", { name: /Ann Archer/ }).first().click();
    await inChat(ben, "second").waitFor();
    await waitForState(ann, "second", "seen");
    await waitForState(ann, "first", "seen");
    await ann.getByText("Seen", { exact: true }).waitFor();
    if (look.desktop) await ann.screenshot({ path: `${SHOTS}receipts.png` });
    assert.deepEqual([...ann.errors, ...ben.errors], []);
  } finally {
    await server.stop();
  }
});

for (const look of LOOKS)
  test(`in a group, your last message says how many have seen it, and who (${look.name})`, async () => {
  const person = dressed(look);
  const server = await startServer(["--messaging-policy", "open"]);
  try {
    const ann = await person(server.base, "ann", "Ann Archer");
    const ben = await person(server.base, "ben", "Ben Baker");
    const cat = await person(server.base, "cat", "Cat Cole");
    await ann.getByRole("button", { name: "New group" }).click();
    await ann.getByLabel("Group name").fill("Book club");
    await ann.getByLabel("Members").fill("ben, cat");
    await ann.getByRole("button", { name: "Create group" }).click();
    await ann.getByRole("heading", { name: "Book club" }).waitFor();
    await say(ann, "chapter one tonight");
    await waitForState(ann, "chapter one tonight", "sent");
    for (const p of [ben, cat]) {
      await p.getByRole("button", { name: /Book club/ }).click();
      await inChat(p, "chapter one tonight").waitFor();
    }
    const seen = ann.getByText("Seen by 2", { exact: true });
    await seen.waitFor({ timeout: 10_000 });
    await seen.click();
    const who = ann.getByRole("list", { name: "Seen by" });
    assert.deepEqual(await who.getByRole("listitem").allInnerTexts(), ["Ben Baker", "Cat Cole"]);
    assert.deepEqual([...ann.errors, ...ben.errors, ...cat.errors], []);
  } finally {
    await server.stop();
  }
});
