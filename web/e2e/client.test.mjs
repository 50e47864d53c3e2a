// The client left open all day (issue 15's defects): lists that stay current
// without a reload, and a load that fetches each list once.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { composer, inChat, launch, openChatWith, person as newPerson, say } from "./people.mjs";
import { startServer } from "./server.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => browser?.close());
const person = (...args) => newPerson(browser, ...args);

test("the sender's friends list updates when the request is accepted", async () => {
  const server = await startServer([]);
  try {
    const ann = await person(server.base, "ann", "Ann Archer");
    const ben = await person(server.base, "ben", "Ben Baker");
    for (const p of [ann, ben]) await p.getByRole("button", { name: "Friends" }).click();
    await ann.getByLabel("Username to befriend").fill("ben");
    await ann.getByRole("button", { name: "Send request" }).click();
    const mine = ann.getByRole("region", { name: "Your friends" }).or(ann.locator("[aria-label='Your friends']"));
    await mine.getByText("No friends yet").waitFor();

    await ben.locator("[aria-label='Incoming requests']").getByRole("button", { name: "Accept" }).click();
    // Ann does nothing: her open page learns of it.
    await mine.getByText("Ben Baker").waitFor({ timeout: 5_000 });
    assert.deepEqual([...ann.errors, ...ben.errors], []);
  } finally {
    await server.stop();
  }
});

test("loading the app fetches the conversation list once", async () => {
  const server = await startServer(["--messaging-policy", "open"]);
  try {
    const ann = await person(server.base, "ann", "Ann Archer");
    const ben = await person(server.base, "ben", "Ben Baker");
    await openChatWith(ann, "ben", "Ben Baker");
    await say(ann, "hello");
    await ben.getByRole("button", { name: /Ann Archer/ }).first().waitFor();

    // A second tab of Ann's, opened while Ben is online.
    const tab = await ann.context().newPage();
    const fetches = [];
    tab.on("request", (r) => {
      if (new URL(r.url()).pathname === "/api/v1/conversations" && r.method() === "GET") fetches.push(r.url());
    });
    await tab.goto(server.base);
    await tab.getByRole("button", { name: /Ben Baker/ }).first().waitFor();
    await new Promise((r) => setTimeout(r, 2_000));
    assert.equal(fetches.length, 1, `fetched ${fetches.length} times: ${fetches.join(", ")}`);
  } finally {
    await server.stop();
  }
});

/** Makes the page believe its tab was hidden (true) or shown again (false). */
async function setHidden(page, hidden) {
  await page.evaluate((h) => {
    Object.defineProperty(document, "hidden", { value: h, configurable: true });
    Object.defineProperty(document, "visibilityState", { value: h ? "hidden" : "visible", configurable: true });
    document.dispatchEvent(new Event("visibilitychange"));
  }, hidden);
}

test("coming back to a hidden tab with the chat open marks it read", async () => {
  const server = await startServer(["--messaging-policy", "open"]);
  try {
    const ann = await person(server.base, "ann", "Ann Archer");
    const ben = await person(server.base, "ben", "Ben Baker");
    await openChatWith(ann, "ben", "Ben Baker");
    await say(ann, "first");
    await ben.getByRole("button", { name: /Ann Archer/ }).first().click();
    await ann.getByText("Seen").waitFor();

    await setHidden(ben, true);
    await say(ann, "are you there?");
    await ben.getByRole("list", { name: "Messages" }).getByText("are you there?").waitFor();
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(await ann.getByText("Seen").count(), 0, "not read while hidden");

    await setHidden(ben, false);
    await ann.getByText("Seen").waitFor({ timeout: 5_000 });
    assert.deepEqual([...ann.errors, ...ben.errors], []);
  } finally {
    await server.stop();
  }
});

test("a message over the length limit says why, and can be edited or discarded", async () => {
  const server = await startServer(["--messaging-policy", "open"]);
  try {
    const ann = await person(server.base, "ann", "Ann Archer");
    await person(server.base, "ben", "Ben Baker");
    await openChatWith(ann, "ben", "Ben Baker");
    const long = "x".repeat(4001);
    await composer(ann).fill(long);
    await ann.getByText("4001/4000").waitFor();
    await composer(ann).press("Enter");
    const refusal = ann.getByRole("alert").filter({ hasText: "Not sent: message body is 4001 characters; the limit is 4000" });
    await refusal.waitFor();
    await refusal.getByRole("button", { name: "Discard" }).click();
    await refusal.waitFor({ state: "detached" });

    await composer(ann).fill(long);
    await composer(ann).press("Enter");
    await refusal.getByRole("button", { name: "Edit" }).click();
    await refusal.waitFor({ state: "detached" });
    assert.equal((await composer(ann).inputValue()).length, 4001, "the text is back in the composer");
    await composer(ann).fill("x".repeat(3999));
    await composer(ann).press("Enter");
    await ann.getByRole("list", { name: "Messages" }).getByText("x".repeat(3999)).waitFor();
    assert.deepEqual(ann.errors, []);
  } finally {
    await server.stop();
  }
});

test("admin actions are confirmed, and an admin who steps down leaves the admin page", async () => {
  const server = await startServer([]);
  try {
    const root = await person(server.base, "root", "Root Admin");
    await person(server.base, "sam", "Sam Second");
    server.admin(["set-role", "--username", "root", "--role", "admin"]);
    server.admin(["set-role", "--username", "sam", "--role", "admin"]);
    await root.reload();
    await root.getByRole("button", { name: "Admin" }).click();
    await root.getByRole("heading", { name: "Users" }).waitFor();

    // Deactivating needs a confirmation; cancelling changes nothing.
    const samRow = root.locator("div").filter({ hasText: /@sam/ }).last();
    await samRow.getByRole("button", { name: "Deactivate" }).click();
    const confirm = root.getByRole("alertdialog", { name: "Confirm" });
    await confirm.getByText("Deactivate @sam?").waitFor();
    await confirm.getByRole("button", { name: "Cancel" }).click();
    await confirm.waitFor({ state: "detached" });
    assert.equal(await root.getByText("deactivated", { exact: true }).count(), 0);

    // Stepping down: confirmed, then the admin page is gone, not a 403.
    await root.getByLabel("Role of root").selectOption("doctor");
    await confirm.getByText("Make yourself doctor?").waitFor();
    await confirm.getByRole("button", { name: "Make doctor" }).click();
    await root.getByRole("heading", { name: "Users" }).waitFor({ state: "detached" });
    assert.equal(await root.getByRole("button", { name: "Admin" }).count(), 0, "no admin tab");
    assert.equal(await root.getByText(/403|needs the admin role/).count(), 0);
    assert.deepEqual(root.errors, []);
  } finally {
    await server.stop();
  }
});

test("notifications lead somewhere: the bell opens the friends page, a browser notification names the sender and opens the chat", async () => {
  const server = await startServer(["--messaging-policy", "open"]);
  try {
    const ann = await person(server.base, "ann", "Ann Archer");
    const ben = await person(server.base, "ben", "Ben Baker");
    // Ben's browser grants notifications; this stub records them instead of
    // showing them, and says whether his tab is hidden.
    await ben.context().addInitScript(() => {
      window.__shown = [];
      class Stub {
        static permission = "granted";
        static requestPermission = async () => "granted";
        constructor(title, options) {
          Object.assign(this, { title, body: options?.body });
          window.__shown.push(this);
        }
        close() {}
      }
      window.Notification = Stub;
      localStorage.setItem("confab.notify", "on");
      Object.defineProperty(document, "hidden", { get: () => window.__hidden === true, configurable: true });
    });
    await ben.reload();
    await openChatWith(ann, "ben", "Ben Baker");
    await say(ann, "hello");
    await ben.getByRole("button", { name: /Ann Archer/ }).first().waitFor();

    await ben.evaluate(() => (window.__hidden = true));
    await composer(ann).fill("first line\nsecond line");
    await composer(ann).press("Enter");
    // "hello" may reach Ben's tab only after it was hidden (the sidebar can
    // show the chat before the message's frame arrives), so it may be
    // notified too: look for the notification of the two-line message.
    // Wait for any notification that starts with it, so that one showing
    // both lines fails on the assertion below rather than as a timeout.
    await ben.waitForFunction(() => window.__shown.some((n) => n.body?.startsWith("first line")));
    const shown = await ben.evaluate(() => window.__shown.map((n) => ({ title: n.title, body: n.body })));
    assert.deepEqual(
      shown.find((n) => n.body?.startsWith("first line")),
      { title: "Ann Archer", body: "first line" },
    );
    await ben.evaluate(() => {
      window.__hidden = false;
      window.__shown.find((n) => n.body === "first line").onclick();
    });
    await ben.getByRole("list", { name: "Messages" }).getByText("second line", { exact: false }).waitFor();

    // The bell: a friend request leads to the friends page.
    await ann.getByRole("button", { name: "Friends" }).click();
    await ann.getByLabel("Username to befriend").fill("ben");
    await ann.getByRole("button", { name: "Send request" }).click();
    await ben.getByRole("button", { name: /Notifications, [1-9]/ }).click();
    await ben.getByRole("menuitem", { name: /sent you a friend request/ }).click();
    await ben.getByRole("heading", { name: "Friends", exact: true }).waitFor();
    assert.deepEqual([...ann.errors, ...ben.errors], []);
  } finally {
    await server.stop();
  }
});

test("people search leaves you out and says who is already a friend or asked", async () => {
  const server = await startServer([]);
  try {
    const ann = await person(server.base, "ann", "Ann Archer");
    const ben = await person(server.base, "ben", "Ben Baker");
    await person(server.base, "bea", "Bea Brown");
    for (const p of [ann, ben]) await p.getByRole("button", { name: "Friends" }).click();
    const hit = (page, name) => page.getByRole("list", { name: "People found" }).getByRole("listitem").filter({ hasText: name });

    await ann.getByLabel("Find people").fill("ann");
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await hit(ann, "Ann Archer").count(), 0, "not yourself");

    await ann.getByLabel("Username to befriend").fill("ben");
    await ann.getByRole("button", { name: "Send request" }).click();
    await ann.getByLabel("Find people").fill("be");
    await hit(ann, "Ben Baker").getByText("Request sent").waitFor();
    await hit(ann, "Bea Brown").getByRole("button", { name: "Add friend" }).waitFor();

    await ben.locator("[aria-label='Incoming requests']").getByRole("button", { name: "Accept" }).click();
    await hit(ann, "Ben Baker").getByText("Friend", { exact: true }).waitFor({ timeout: 5_000 });
    assert.deepEqual([...ann.errors, ...ben.errors], []);
  } finally {
    await server.stop();
  }
});

test("the tab shows the unread total in its title and favicon, and Chats a badge", async () => {
  const server = await startServer(["--messaging-policy", "open"]);
  try {
    const ann = await person(server.base, "ann", "Ann Archer");
    const ben = await person(server.base, "ben", "Ben Baker");
    await openChatWith(ann, "ben", "Ben Baker");
    await ben.getByRole("button", { name: "Friends" }).click();
    await say(ann, "one");
    await say(ann, "two");
    await ben.waitForFunction(() => document.title === "(2) Confab");
    const icon = await ben.evaluate(() => document.querySelector('link[rel="icon"]').href);
    assert.match(decodeURIComponent(icon), />2<\/text>/);
    await ben.getByRole("button", { name: "Chats 2 unread" }).click();
    await ben.getByRole("button", { name: /Archer/ }).first().click();
    await inChat(ben, "two").waitFor();
    await ben.waitForFunction(() => document.title === "Confab");
    assert.match(await ben.evaluate(() => document.querySelector('link[rel="icon"]').href), /\/favicon\.svg$/);
    await ben.getByRole("navigation", { name: "Main" }).getByRole("button", { name: "Chats", exact: true }).waitFor();
  } finally {
    server.stop();
  }
});
