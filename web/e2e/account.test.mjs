// Reaching people who are away, the first part: an address confirmed by its
// link, and a forgotten password reset from the sign-in page through the mail
// (a real SMTP server on loopback) to signing in with the new password.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { mailUnavailable, startMailbox } from "./mailbox.mjs";
import { launch, openChatWith, PASSWORD, person, rowFor, say, SHOTS } from "./people.mjs";
import { startServer } from "./server.mjs";

const NEW_PASSWORD = "a brand new passphrase";
let browser;
before(async () => {
  browser = await launch();
});
after(async () => browser?.close());

test("confirm an address, then reset a forgotten password through the mail", { skip: mailUnavailable() ?? false }, async () => {
  const mailbox = await startMailbox();
  const server = await startServer(["--smtp-url", mailbox.url, "--mail-poll-ms", "200"]);
  const context = await browser.newContext({ viewport: { width: 1200, height: 760 } });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  try {
    await page.goto(server.base);
    await page.getByRole("button", { name: "New here? Create an account" }).click();
    await page.getByLabel("Username").fill("ann");
    await page.getByLabel("Full name").fill("Ann Archer");
    await page.getByLabel(/Email address/).fill("ann@example.org");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("navigation", { name: "Main" }).waitFor();

    // The profile says the address waits for its link; the link confirms it.
    await page.getByRole("button", { name: "Profile", exact: true }).click();
    await page.getByRole("region", { name: "Email address" }).getByText("waiting for confirmation").waitFor();
    await page.goto(await mailbox.link("ann@example.org", "verify-email"));
    await page.getByText("Your address is confirmed").waitFor();
    await page.getByRole("button", { name: "Continue to Confab" }).click();
    assert.equal(new URL(page.url()).hash, "", "the token leaves the address bar");
    await page.getByRole("button", { name: "Profile", exact: true }).click();
    const card = page.getByRole("region", { name: "Email address" });
    await card.getByText("confirmed", { exact: true }).waitFor();
    await card.screenshot({ path: `${SHOTS}profile-email.png` });

    // Signed out, Ann has forgotten her password.
    await page.getByRole("button", { name: "Chats" }).click();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("button", { name: "Forgot your password?" }).click();
    await page.getByLabel("Username or email address").fill("ann@example.org");
    await page.getByRole("button", { name: "Send me a link" }).click();
    await page.getByRole("status").filter({ hasText: "a link to choose a new password is on its way" }).waitFor();
    await page.screenshot({ path: `${SHOTS}reset-requested.png` });

    await page.goto(await mailbox.link("ann@example.org", "reset-password"));
    await page.getByLabel("New password").fill(NEW_PASSWORD);
    await page.getByLabel("Repeat it").fill("something else entirely");
    await page.getByRole("button", { name: "Set new password" }).click();
    await page.getByRole("alert").filter({ hasText: "The two passwords differ" }).waitFor();
    await page.getByLabel("Repeat it").fill(NEW_PASSWORD);
    await page.screenshot({ path: `${SHOTS}reset-choose.png` });
    await page.getByRole("button", { name: "Set new password" }).click();
    await page.getByRole("alert").filter({ hasText: "Your password was changed" }).waitFor();

    // The old password no longer works; the new one does.
    await page.getByLabel("Username").fill("ann");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").filter({ hasText: "invalid username or password" }).waitFor();
    await page.getByLabel("Password").fill(NEW_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("navigation", { name: "Main" }).waitFor();

    // The same link a second time is refused, in words.
    const used = await context.newPage();
    await used.goto(await mailbox.link("ann@example.org", "reset-password"));
    await used.getByLabel("New password").fill("third passphrase here");
    await used.getByLabel("Repeat it").fill("third passphrase here");
    await used.getByRole("button", { name: "Set new password" }).click();
    await used.getByRole("alert").filter({ hasText: "already used" }).waitFor();
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    await server.stop();
    mailbox.stop();
  }
});

test("mute a conversation from its header; choose what is mailed while away", async () => {
  const server = await startServer(["--messaging-policy", "open"]);
  try {
    const ann = await person(browser, server.base, "ann", "Ann Archer");
    await person(browser, server.base, "ben", "Ben Baker");
    await openChatWith(ann, "ben", "Ben Baker");
    await say(ann, "hello");
    await ann.getByLabel("Mute notifications").selectOption("forever");
    const row = rowFor(ann, /Ben Baker/);
    await row.getByLabel("muted").waitFor();
    await ann.getByLabel("Mute notifications").selectOption("off");
    await row.getByLabel("muted").waitFor({ state: "detached" });
    await ann.getByLabel("Mute notifications").selectOption("60");
    await ann.getByLabel("Mute notifications").getByRole("option", { name: /Muted until/ }).waitFor({ state: "attached" });
    await ann.locator("main header").screenshot({ path: `${SHOTS}mute.png` });

    await ann.getByRole("button", { name: "Profile", exact: true }).click();
    const card = ann.getByRole("region", { name: "Email notifications" });
    await card.getByRole("button", { name: "Every message" }).click();
    await card.getByRole("button", { name: "Every message", pressed: true }).waitFor();
    await ann.reload();
    await ann.getByRole("button", { name: "Profile", exact: true }).click();
    await card.getByRole("button", { name: "Every message", pressed: true }).waitFor();
    await card.screenshot({ path: `${SHOTS}profile-notifications.png` });
    assert.deepEqual(ann.errors, []);
  } finally {
    await server.stop();
  }
});
