// Formatting (issue 15): a safe subset of Markdown, never HTML; @mentions are
// highlighted, a mention of you stands out; @ in a group offers its members.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { composer, inChat, launch, person as newPerson, say, SHOTS, LOOKS } from "./people.mjs";
import { startServer } from "./server.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => browser?.close());
/** People dressed in one of the looks (desktop light, phone dark). */
const dressed = (look) => (base, username, fullName, extra = {}) => newPerson(browser, base, username, fullName, { ...look.options, ...extra });

for (const look of LOOKS)
  test(`Markdown is formatted without HTML; mentions stand out; @ in a group completes a member (${look.name})`, async () => {
  const person = dressed(look);
  const server = await startServer(["--messaging-policy", "open"]);
  try {
    const ann = await person(server.base, "ann", "Ann Archer");
    const ben = await person(server.base, "ben", "Ben Baker");
    await person(server.base, "barbara", "Barbara Cole");
    await ann.getByRole("button", { name: "New group" }).click();
    await ann.getByLabel("Group name").fill("Ward 3");
    await ann.getByLabel("Members").fill("ben, barbara");
    await ann.getByRole("button", { name: "Create group" }).click();
    await ann.getByRole("heading", { name: "Ward 3" }).waitFor();

    // @ offers the members; arrows choose, Enter puts the username in.
    await composer(ann).fill("");
    await composer(ann).pressSequentially("rounds with @b");
    const options = ann.getByRole("listbox", { name: "Mention someone" }).getByRole("option");
    assert.deepEqual(await options.allInnerTexts(), ["Barbara Cole @barbara", "Ben Baker @ben"]);
    await composer(ann).press("ArrowDown");
    assert.equal(await options.nth(1).getAttribute("aria-selected"), "true");
    await composer(ann).press("ArrowUp");
    // A busy machine draws its next frame late: keys typed right after a pick
    // must still land after the name (they once went before its caret reset).
    await ann.evaluate(() => {
      const raf = window.requestAnimationFrame.bind(window);
      window.requestAnimationFrame = (cb) => raf((t) => setTimeout(() => cb(t), 300));
    });
    await composer(ann).press("Enter");
    await composer(ann).press("a");
    await ann.waitForTimeout(400);
    assert.equal(await composer(ann).inputValue(), "rounds with @barbara a");
    await composer(ann).pressSequentially("nd @be");
    await composer(ann).press("Tab");
    assert.equal(await composer(ann).inputValue(), "rounds with @barbara and @ben ");
    await composer(ann).press("Enter");

    await ben.getByRole("button", { name: /Ward 3/ }).click();
    const mention = ben.locator("[data-mention='ben']");
    await mention.waitFor();
    assert.equal(await mention.getAttribute("data-you"), "true", "a mention of you stands out");
    assert.equal(await ben.locator("[data-mention='barbara']").getAttribute("data-you"), null);

    const text = "**bold** *it* ~~gone~~ `x<y`\n> quoted\n- one\n- two\n```\n<img src=x onerror=alert(1)>\n```\n[site](https://example.org) [bad](javascript:alert(1)) <b>raw</b>";
    await say(ann, text);
    const last = ben.getByRole("list", { name: "Messages" }).locator("li[data-seq]").last();
    await last.locator("strong", { hasText: "bold" }).waitFor();
    assert.equal(await last.locator("em").innerText(), "it");
    assert.equal(await last.locator("s").innerText(), "gone");
    assert.equal(await last.locator("code").first().innerText(), "x<y");
    assert.equal(await last.locator("blockquote").innerText(), "quoted");
    assert.deepEqual(await last.locator("ul > li").allInnerTexts(), ["one", "two"]);
    assert.equal(await last.locator("pre").innerText(), "<img src=x onerror=alert(1)>");
    assert.equal(await last.getByRole("link", { name: "site" }).getAttribute("href"), "https://example.org/");
    assert.equal(await last.getByRole("link").count(), 1, "no javascript: link");
    assert.equal(await last.locator("img, b").count(), 0, "HTML stays text");
    await inChat(ben, "<b>raw</b>").waitFor();
    if (look.desktop) await ben.screenshot({ path: `${SHOTS}formatting.png` });
    assert.deepEqual([...ann.errors, ...ben.errors], []);
  } finally {
    await server.stop();
  }
});
