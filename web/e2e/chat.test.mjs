// End to end in Debian's Chromium (no browser download): two people become
// friends and chat; offline and back; reload; hostile text; the care policy.
// Saves screenshots of the main screens into docs/screenshots/.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { composer, inChat, launch, PASSWORD, person as newPerson, rowFor, say, SHOTS } from "./people.mjs";
import { startServer } from "./server.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => browser?.close());

const person = (...args) => newPerson(browser, ...args);

test("two people befriend each other and chat in real time, across a network cut and a reload", async () => {
  const server = await startServer(["--messaging-policy", "friends"]);
  try {
    const first = await (await browser.newContext({ viewport: { width: 1200, height: 760 } })).newPage();
    await first.goto(server.base);
    await first.getByRole("button", { name: "Sign in" }).waitFor();
    await first.screenshot({ path: `${SHOTS}login.png` });
    const ann = await person(server.base, "ann", "Ann Archer");
    await ann.screenshot({ path: `${SHOTS}conversations-empty.png` });
    const ben = await person(server.base, "ben", "Ben Baker");

    await ann.getByRole("button", { name: "Friends" }).click();
    await ann.getByLabel("Username to befriend").fill("ben");
    await ann.getByRole("button", { name: "Send request" }).click();
    await ann.getByText("Request sent to @ben").waitFor();
    await ben.getByRole("button", { name: "Friends" }).click();
    await ben.getByRole("button", { name: "Accept" }).click();
    await ben.getByText("You and @ann are friends").waitFor();
    await ben.screenshot({ path: `${SHOTS}friends.png` });

    for (const p of [ann, ben]) {
      await p.getByRole("button", { name: "Chats" }).click();
      await p.getByRole("button", { name: /Baker|Archer/ }).first().click();
    }
    // Typing, then the message, both ways.
    await composer(ann).press("H");
    await ben.getByText("Ann Archer is typing…").waitFor();
    await composer(ann).fill("");
    await say(ann, "Hello Ben, see https://example.org");
    await inChat(ben, "Hello Ben, see").waitFor();
    await say(ben, "Hi Ann!");
    await inChat(ann, "Hi Ann!").waitFor();
    await ben.getByText("Seen").waitFor();
    const link = ben.getByRole("link", { name: "https://example.org" });
    assert.equal(await link.getAttribute("rel"), "noopener noreferrer");

    // Ben loses the network while Ann writes; when it returns he has every message once, in order.
    await ben.context().setOffline(true);
    await ben.getByText(/Offline|Connecting/).waitFor();
    for (const n of [1, 2, 3]) await say(ann, `while you were away ${n}`);
    await ben.context().setOffline(false);
    await inChat(ben, "while you were away 3").waitFor({ timeout: 20_000 });
    const away = await inChat(ben, /^while you were away \d$/).allInnerTexts();
    assert.deepEqual(away, ["while you were away 1", "while you were away 2", "while you were away 3"]);

    // Hostile text is shown as text.
    await say(ann, "<img src=x onerror=alert(1)>");
    await inChat(ben, "<img src=x onerror=alert(1)>").waitFor();
    assert.equal(await ben.locator("img[src=x]").count(), 0);

    // A reload keeps the session and the history.
    await ben.reload();
    await rowFor(ben, /Archer/).click();
    await inChat(ben, "while you were away 2").waitFor();
    assert.equal(await inChat(ben, /^while you were away 2$/).count(), 1);
    await ann.screenshot({ path: `${SHOTS}conversation.png` });

    await ann.getByRole("button", { name: "Profile", exact: true }).click();
    await ann.getByText("Signed-in devices").waitFor();
    await ann.screenshot({ path: `${SHOTS}profile.png` });

    // Phone width and dark theme.
    const phone = await browser.newContext({ viewport: { width: 375, height: 740 }, colorScheme: "dark" });
    const p = await phone.newPage();
    await p.goto(server.base);
    await p.getByLabel("Username").fill("ben");
    await p.getByLabel("Password").fill(PASSWORD);
    await p.screenshot({ path: `${SHOTS}login-dark-phone.png` });
    await p.getByRole("button", { name: "Sign in" }).click();
    await p.getByRole("button", { name: /Archer/ }).first().click();
    await inChat(p, "Hi Ann!").waitFor();
    await p.screenshot({ path: `${SHOTS}conversation-dark-phone.png` });

    // The admin page, for an admin made with the CLI.
    server.admin(["create-user", "--username", "root", "--role", "admin", "--full-name", "Site Admin"], PASSWORD);
    const admin = await (await browser.newContext({ viewport: { width: 1200, height: 760 } })).newPage();
    await admin.goto(server.base);
    await admin.getByLabel("Username").fill("root");
    await admin.getByLabel("Password").fill(PASSWORD);
    await admin.getByRole("button", { name: "Sign in" }).click();
    await admin.getByRole("button", { name: "Admin" }).click();
    await admin.getByText("@ben").waitFor();
    await admin.screenshot({ path: `${SHOTS}admin.png` });

    assert.deepEqual([...ann.errors, ...ben.errors], []);
  } finally {
    await server.stop();
  }
});

test("under the care policy a patient is told clearly they cannot start a chat with another patient", async () => {
  const server = await startServer(["--messaging-policy", "care"]);
  try {
    await person(server.base, "pia", "Pia Patient");
    const pat = await person(server.base, "pat", "Pat Patient");
    await pat.getByLabel("Search conversations and people").fill("pia");
    await pat.getByRole("button", { name: /Pia Patient/ }).click();
    await pat.getByRole("alert").filter({ hasText: "patients can start conversations with doctors only" }).waitFor();
  } finally {
    await server.stop();
  }
});

test("messages can be edited, quoted, deleted and restored; a group is created and renamed, with a notice", async () => {
  const server = await startServer(["--messaging-policy", "open"]);
  try {
    const ann = await person(server.base, "ann", "Ann Archer");
    const ben = await person(server.base, "ben", "Ben Baker");
    await person(server.base, "cat", "Cat Cole");

    await ann.getByRole("button", { name: "New group" }).click();
    await ann.getByLabel("Group name").fill("Book club");
    await ann.getByLabel("Members").fill("ben, @cat");
    await ann.getByRole("button", { name: "Create group" }).click();
    await ann.getByRole("heading", { name: "Book club" }).waitFor();
    await ben.getByRole("button", { name: /Book club/ }).click();

    await say(ann, "first draft");
    await inChat(ben, "first draft").waitFor();
    const actionsFor = (page, text) => page.getByRole("listitem").filter({ has: page.getByText(text, { exact: true }) }).getByRole("button", { name: "Message actions" });

    await actionsFor(ann, "first draft").click();
    await ann.getByRole("menuitem", { name: "Edit" }).click();
    await composer(ann).fill("final text");
    await composer(ann).press("Enter");
    await inChat(ben, "final text").waitFor();
    await ben.getByText(/edited/).first().waitFor();

    await actionsFor(ben, "final text").click();
    await ben.getByRole("menuitem", { name: "Reply" }).click();
    await say(ben, "agreed");
    const reply = ann.getByRole("listitem").filter({ has: ann.getByText("agreed", { exact: true }) });
    await reply.getByText("final text").waitFor();

    await actionsFor(ann, "final text").first().click();
    await ann.getByRole("menuitem", { name: "Delete" }).click();
    await ben.getByText("Message deleted").first().waitFor();
    await ann.getByRole("listitem").filter({ hasText: "Message deleted" }).first().getByRole("button", { name: "Message actions" }).click();
    await ann.getByRole("menuitem", { name: "Restore" }).click();
    // Restored: no tombstone left, neither the message nor the quote of it.
    await ben.getByText("Message deleted").first().waitFor({ state: "detached" });
    assert.equal(await inChat(ben, "final text").count(), 2, "the message and its quote");

    await ann.getByRole("button", { name: "Group settings" }).click();
    await ann.getByLabel("Group name").fill("Core team");
    await ann.getByRole("button", { name: "Rename" }).click();
    await ben.getByRole("heading", { name: "Core team" }).waitFor();
    // The rename is a centred notice in both histories, live.
    await ben.locator("main [data-system=renamed]").getByText("Ann Archer renamed the group to “Core team”").waitFor();
    await ann.locator("main [data-system=renamed]").getByText("You renamed the group to “Core team”").waitFor();
    await ann.keyboard.press("Escape");
    await ann.screenshot({ path: `${SHOTS}group.png` });
    assert.deepEqual([...ann.errors, ...ben.errors], []);
  } finally {
    await server.stop();
  }
});

test("a stranger's group is an invitation: the invitee joins from the sidebar, and the group says so", async () => {
  const server = await startServer(["--messaging-policy", "open", "--default-group-invites", "friends"]);
  try {
    const ann = await person(server.base, "ann", "Ann Archer");
    const ben = await person(server.base, "ben", "Ben Baker");
    await ann.getByRole("button", { name: "New group" }).click();
    await ann.getByLabel("Group name").fill("Clinic");
    await ann.getByLabel("Members").fill("ben");
    await ann.getByRole("button", { name: "Create group" }).click();
    await ann.getByRole("heading", { name: "Clinic" }).waitFor();

    const invite = ben.getByRole("region", { name: "Group invitations" });
    await invite.getByText("Ann Archer invited you to Clinic").waitFor();
    await invite.getByRole("button", { name: "Join" }).click();
    await ben.getByRole("heading", { name: "Clinic" }).waitFor();
    await ann.locator("main [data-system=member_joined]").getByText("Ben Baker joined, invited by you").waitFor();
    await invite.waitFor({ state: "detached" });
    assert.deepEqual([...ann.errors, ...ben.errors], []);
  } finally {
    await server.stop();
  }
});
