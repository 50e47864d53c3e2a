// Reactions and emoji (issue 15): react from a message's menu (quick picks or the
// full picker), see who reacted, take yours back; the composer's emoji picker
// inserts at the caret. Reactions reach the other side live and survive a reload.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { composer, inChat, launch, openChatWith, person as newPerson, rowFor, say, SHOTS, LOOKS, toList } from "./people.mjs";
import { startServer } from "./server.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => browser?.close());
/** People dressed in one of the looks (desktop light, phone dark). */
const dressed = (look) => (base, username, fullName, extra = {}) => newPerson(browser, base, username, fullName, { ...look.options, ...extra });

/** The reaction chip for `emoji` under the message that says `text`. */
const chip = (page, text, emoji) => page.getByRole("list", { name: "Messages" }).locator("li[data-seq]").filter({ hasText: text }).getByRole("group", { name: "Reactions" }).getByRole("button", { name: new RegExp(`^${emoji}`) });

async function openActions(page, text) {
  const row = page.getByRole("list", { name: "Messages" }).locator("li[data-seq]").filter({ hasText: text });
  await row.hover();
  await row.getByRole("button", { name: "Message actions" }).click();
  return page.getByRole("menu");
}

for (const look of LOOKS)
  test(`people react to a message, see who did, take it back; the composer inserts emoji (${look.name})`, async () => {
  const person = dressed(look);
  const server = await startServer(["--messaging-policy", "open"]);
  try {
    const ann = await person(server.base, "ann", "Ann Archer");
    const ben = await person(server.base, "ben", "Ben Baker");
    await openChatWith(ann, "ben", "Ben Baker");
    await say(ann, "lunch at noon?");
    await rowFor(ben, /Ann Archer/).click();
    await inChat(ben, "lunch at noon?").waitFor();

    // Ben: a quick reaction from the menu. Ann sees it arrive.
    await (await openActions(ben, "lunch at noon?")).getByRole("menuitem", { name: "React thumbs up" }).click();
    await chip(ben, "lunch at noon?", "thumbs up: 1, You").waitFor();
    await chip(ann, "lunch at noon?", "thumbs up: 1, Ben Baker").waitFor();

    // Ann adds hers by clicking the chip: two, and it says who.
    await chip(ann, "lunch at noon?", "thumbs up").click();
    const both = chip(ann, "lunch at noon?", "thumbs up: 2, Ben Baker and You");
    await both.waitFor();
    assert.equal(await both.getAttribute("aria-pressed"), "true");
    await chip(ben, "lunch at noon?", "thumbs up: 2, You and Ann Archer").waitFor();

    // The full picker, from "More reactions".
    const menu = await openActions(ben, "lunch at noon?");
    await menu.getByRole("menuitem", { name: "More reactions…" }).click();
    await ben.getByRole("menuitem", { name: "fire", exact: true }).click();
    await chip(ann, "lunch at noon?", "fire: 1, Ben Baker").waitFor();

    if (look.desktop) await ann.screenshot({ path: `${SHOTS}reactions.png` });

    // Ben takes his thumbs up back.
    await chip(ben, "lunch at noon?", "thumbs up").click();
    await chip(ann, "lunch at noon?", "thumbs up: 1, You").waitFor();

    // The composer's picker inserts where the caret is.
    await composer(ann).fill("see you there");
    await composer(ann).evaluate((el) => el.setSelectionRange(7, 7));
    await ann.getByRole("button", { name: "Insert emoji" }).click();
    await ann.getByRole("menuitem", { name: "wave", exact: true }).click();
    assert.equal(await composer(ann).inputValue(), "see you👋 there");
    await composer(ann).press("Enter");
    await inChat(ben, "see you👋 there").waitFor();

    // A reload keeps them (history carries reactions).
    await ben.reload();
    await toList(ben);
    await rowFor(ben, /Ann Archer/).click();
    await chip(ben, "lunch at noon?", "fire: 1, You").waitFor();
    await chip(ben, "lunch at noon?", "thumbs up: 1, Ann Archer").waitFor();
    assert.deepEqual([...ann.errors, ...ben.errors], []);
  } finally {
    await server.stop();
  }
});
