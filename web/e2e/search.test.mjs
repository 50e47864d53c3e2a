// Message search (issue 15): words typed in the sidebar's search find messages in
// every conversation, the hit highlighted; a click opens the conversation at the
// message, loading older history to reach it.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { launch, openChatWith, PASSWORD, person as newPerson, say, LOOKS, toList } from "./people.mjs";
import { startServer } from "./server.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => browser?.close());
/** People dressed in one of the looks (desktop light, phone dark). */
const dressed = (look) => (base, username, fullName, extra = {}) => newPerson(browser, base, username, fullName, { ...look.options, ...extra });

for (const look of LOOKS)
  test(`a search finds a message and opens the conversation right at it (${look.name})`, async () => {
  const person = dressed(look);
  const server = await startServer(["--messaging-policy", "open"]);
  try {
    const ann = await person(server.base, "ann", "Ann Archer");
    const ben = await person(server.base, "ben", "Ben Baker");
    await openChatWith(ann, "ben", "Ben Baker");
    await say(ann, "the **quarterly** figures are in the shared folder");
    const id = new URL(ann.url()).pathname.split("/")[2];
    // Then more than a page of chatter, sent as another client would.
    const login = await fetch(`${server.base}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: "ann", password: PASSWORD }) });
    const { access_token: token } = await login.json();
    for (let i = 1; i <= 70; i++) {
      const r = await fetch(`${server.base}/api/v1/conversations/${id}/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ client_msg_id: crypto.randomUUID(), body: `chatter ${i}` }),
      });
      assert.equal(r.status, 201);
    }

    await ben.reload();
    await ben.getByLabel("Search conversations and people").fill("quarter");
    const found = ben.getByRole("region", { name: "Messages found" });
    const hit = found.getByRole("button", { name: /Ann Archer.*quarterly figures/ });
    await hit.waitFor();
    assert.equal(await hit.locator("mark").innerText(), "quarter");
    await hit.click();

    const message = ben.getByRole("list", { name: "Messages" }).locator("[data-status]").filter({ hasText: "quarterly figures" });
    await message.waitFor({ timeout: 10_000 });
    await ben.waitForFunction(() => {
      const el = [...document.querySelectorAll("[data-status]")].find((e) => e.textContent?.includes("quarterly figures"));
      const list = document.querySelector("[aria-label='Messages']")?.getBoundingClientRect();
      const r = el?.getBoundingClientRect();
      return r && list && r.top >= list.top && r.bottom <= list.bottom;
    });

    await toList(ben);
    await ben.getByLabel("Search conversations and people").fill("nothing like it");
    await found.getByText("No messages with “nothing like”.").waitFor();
    await ben.getByLabel("Search conversations and people").fill("");
    await ben.getByRole("button", { name: /Ann Archer/ }).first().click();

    // Inside the conversation: words, from whom, between which days.
    await say(ben, "chatter from ben too");
    await ben.getByRole("button", { name: "Search in this conversation" }).click();
    const dialog = ben.getByRole("dialog", { name: "Search in this conversation" });
    await dialog.getByLabel("Words to find").fill("chatter");
    const results = dialog.getByRole("list", { name: "Found in this conversation" }).getByRole("listitem");
    await results.nth(49).waitFor();
    assert.equal(await results.count(), 50, "a page of 50");
    await dialog.getByLabel("From").selectOption({ label: "You" });
    await results.first().getByText("chatter from ben too").waitFor();
    assert.equal(await results.count(), 1);
    const today = new Date().toLocaleDateString("en-CA");
    await dialog.getByLabel("Until").fill("2020-01-01");
    await dialog.getByText("Nothing found.").waitFor();
    await dialog.getByLabel("Until").fill(today);
    await dialog.getByLabel("From").selectOption({ label: "Anyone" });
    const thirty = results.filter({ hasText: /chatter 30$/ });
    await thirty.waitFor();
    await thirty.click();
    await dialog.waitFor({ state: "detached" });
    await ben.waitForFunction(() => {
      const el = [...document.querySelectorAll("[data-status] p")].find((e) => e.textContent === "chatter 30");
      const list = document.querySelector("[aria-label='Messages']")?.getBoundingClientRect();
      const r = el?.getBoundingClientRect();
      return r && list && r.top >= list.top && r.bottom <= list.bottom;
    });
    assert.deepEqual([...ann.errors, ...ben.errors], []);
  } finally {
    await server.stop();
  }
});
