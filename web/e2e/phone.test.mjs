// The client on a phone (issue 15): message actions are visible without hover and
// open on a long press, as in WhatsApp and Signal.

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
const PHONE = { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true };

/** Holds a finger on the middle of `locator` for `ms`, as a touch screen would. */
async function longPress(page, locator, ms = 700) {
  const box = await locator.boundingBox();
  const point = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: [point] });
  await new Promise((r) => setTimeout(r, ms));
  await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
}

test("on a phone, message actions show without hover and open on a long press", async () => {
  const server = await startServer(["--messaging-policy", "open"]);
  try {
    await person(server.base, "ann", "Ann Archer");
    const ben = await person(server.base, "ben", "Ben Baker", PHONE);
    await openChatWith(ben, "ann", "Ann Archer");
    await say(ben, "hold me to reply");
    const bubble = inChat(ben, "hold me to reply");
    await bubble.waitFor();
    await ben.locator("[data-status='sent']").filter({ hasText: "hold me to reply" }).waitFor();

    // A finger cannot hover: the "…" is there to be seen.
    const trigger = ben.getByRole("button", { name: "Message actions" }).first();
    const opacity = await trigger.evaluate((el) => Number(getComputedStyle(el).opacity));
    assert.ok(opacity > 0.5, `the actions button is visible on a phone (opacity ${opacity})`);

    // A short tap does not open the menu; a long press does.
    await bubble.tap();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await ben.getByRole("menu").count(), 0, "a tap is not a long press");
    await longPress(ben, bubble);
    const menu = ben.getByRole("menu");
    await menu.waitFor({ timeout: 3_000 });
    await menu.getByRole("menuitem", { name: "Reply" }).tap();
    await ben.getByText("Replying to: hold me to reply").waitFor();
    assert.deepEqual(ben.errors, []);
  } finally {
    await server.stop();
  }
});
