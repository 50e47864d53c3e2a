// Profiles seen by others and the new-message chime (issue 15): a click on a name
// or picture shows that person's card with "Message" and "Add friend"; a chime,
// off by default, sounds for a message while the tab is in the background.

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

/** Counts the oscillators the page starts: each chime starts two. */
const countTones = (page) =>
  page.addInitScript(() => {
    window.__tones = 0;
    const start = OscillatorNode.prototype.start;
    OscillatorNode.prototype.start = function (...args) {
      window.__tones += 1;
      return start.apply(this, args);
    };
  });
const tones = (page) => page.evaluate(() => window.__tones);

async function setHidden(page, hidden) {
  await page.evaluate((h) => {
    Object.defineProperty(document, "hidden", { value: h, configurable: true });
    document.dispatchEvent(new Event("visibilitychange"));
  }, hidden);
}

for (const look of LOOKS)
  test(`a name or picture opens that person's card: message them, ask to be friends (${look.name})`, async () => {
  const person = dressed(look);
  const server = await startServer(["--messaging-policy", "open"]);
  try {
    const ann = await person(server.base, "ann", "Ann Archer");
    const ben = await person(server.base, "ben", "Ben Baker");
    await ann.getByRole("button", { name: "Profile", exact: true }).click();
    await ann.getByLabel("Bio").fill("Night nurse on ward 3.");
    await ann.getByLabel("Status").fill("On shift until 7");
    await ann.getByRole("button", { name: "Save profile" }).click();
    await ann.getByRole("button", { name: "Chats" }).click();

    await openChatWith(ann, "ben", "Ben Baker");
    await say(ann, "handover at seven");
    await ben.getByRole("button", { name: /Ann Archer/ }).first().click();
    await inChat(ben, "handover at seven").waitFor();

    // Her picture opens it; so does her name, the button keyboards use.
    await ben.getByRole("list", { name: "Messages" }).locator("li[data-seq]").first().locator(".cursor-pointer").click();
    const card = ben.getByRole("dialog", { name: "Ann Archer" });
    await card.getByText("@ann", { exact: true }).waitFor();
    await card.getByText("Night nurse on ward 3.").waitFor();
    await card.getByText("On shift until 7").waitFor();
    if (look.desktop) await ben.screenshot({ path: `${SHOTS}profile-card.png` });
    assert.equal(await card.getByText(/^Online|^Last seen|^Offline/).count(), 0, "no presence across a direct chat of strangers");
    await card.getByRole("button", { name: "Add friend" }).click();
    await card.getByText("Friend request sent").first().waitFor();
    await card.getByRole("button", { name: "Message" }).click();
    await card.waitFor({ state: "detached" });
    assert.match(new URL(ben.url()).pathname, /^\/c\//);
    await inChat(ben, "handover at seven").waitFor();

    // From the header of a direct chat too; Esc closes it.
    await ann.getByRole("heading", { name: "Ben Baker" }).getByRole("button").click();
    const bens = ann.getByRole("dialog", { name: "Ben Baker" });
    await bens.getByText("Asked you to be friends").waitFor();
    await ann.keyboard.press("Escape");
    await bens.waitFor({ state: "detached" });

    // Friends see each other's presence on the card.
    await ann.getByRole("button", { name: "Friends" }).click();
    await ann.locator("[aria-label='Incoming requests']").getByRole("button", { name: "Accept" }).click();
    await ben.getByRole("list", { name: "Messages" }).getByRole("button", { name: "Ann Archer", exact: true }).first().click();
    await card.getByText("Friends", { exact: true }).waitFor();
    await card.getByText(/^Online/).waitFor();
    assert.deepEqual([...ann.errors, ...ben.errors], []);
  } finally {
    await server.stop();
  }
});

test("the new-message chime is off by default and sounds only in the background once chosen", async () => {
  const person = dressed(LOOKS[0]);
  const server = await startServer(["--messaging-policy", "open"]);
  try {
    const ann = await person(server.base, "ann", "Ann Archer");
    const ben = await person(server.base, "ben", "Ben Baker");
    await countTones(ben);
    await ben.reload();
    await ben.getByRole("navigation", { name: "Main" }).waitFor();
    await openChatWith(ann, "ben", "Ben Baker");

    await setHidden(ben, true);
    await say(ann, "quiet one");
    await ben.getByRole("button", { name: /Ann Archer/ }).first().waitFor();
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(await tones(ben), 0, "off by default");

    await setHidden(ben, false);
    await ben.getByRole("button", { name: "Profile", exact: true }).click();
    const sound = ben.getByRole("checkbox", { name: /Play a sound for new messages/ });
    assert.equal(await sound.isChecked(), false);
    await sound.check();
    await say(ann, "while you look");
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(await tones(ben), 0, "not while the tab is shown");

    await setHidden(ben, true);
    await say(ann, "ring ring");
    await ben.waitForFunction(() => window.__tones === 2);
    assert.deepEqual([...ann.errors, ...ben.errors], []);
  } finally {
    await server.stop();
  }
});
