// A first run that explains itself (issue 15): the sign-in page of a server with
// no accounts offers to create the first, which becomes the admin; the policy is
// explained; a chat refused for not being friends offers the friend request.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { launch, PASSWORD, SHOTS } from "./people.mjs";
import { startServer } from "./server.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => browser?.close());

async function visitor(base) {
  const page = await (await browser.newContext({ viewport: { width: 1200, height: 760 } })).newPage();
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(String(e)));
  await page.goto(base);
  return page;
}

async function fillAccount(page, username, fullName) {
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Full name").fill(fullName);
  await page.getByLabel("Password").fill(PASSWORD);
}

test("the first account of an empty server is its admin; later ones are not; a refused chat offers a friend request", async () => {
  const server = await startServer(["--first-account-admin", "true", "--messaging-policy", "friends"]);
  try {
    const root = await visitor(server.base);
    await root.getByRole("heading", { name: "Welcome to your new Confab server" }).waitFor();
    await root.getByRole("note").getByText("The account you create now will be its administrator").waitFor();
    await root.getByText("send a friend request, and once they accept you can message each other").waitFor();
    await fillAccount(root, "root", "Rita Root");
    await root.screenshot({ path: `${SHOTS}first-run.png` });
    await root.getByRole("button", { name: "Create the administrator account" }).click();
    await root.getByRole("button", { name: "Admin" }).waitFor();

    const ben = await visitor(server.base);
    await ben.getByRole("heading", { name: "Sign in to Confab" }).waitFor();
    assert.equal(await ben.getByRole("note").count(), 0, "no first-account banner once there is an account");
    await ben.getByRole("button", { name: "New here? Create an account" }).click();
    await fillAccount(ben, "ben", "Ben Baker");
    await ben.getByRole("button", { name: "Create account" }).click();
    await ben.getByRole("navigation", { name: "Main" }).waitFor();
    assert.equal(await ben.getByRole("button", { name: "Admin" }).count(), 0, "the second account has the default role");

    // Not friends: the refusal offers the request, in place.
    await ben.getByLabel("Search conversations and people").fill("root");
    await ben.getByRole("button", { name: /Rita Root/ }).click();
    const refusal = ben.getByRole("alert").filter({ hasText: "you can only message your friends" });
    await refusal.waitFor();
    await refusal.getByRole("button", { name: "Send friend request" }).click();
    await ben.getByRole("alert").filter({ hasText: "Friend request sent to Rita Root" }).waitFor();
    await root.getByRole("button", { name: "Friends" }).click();
    await root.locator("[aria-label='Incoming requests']").getByText("Ben Baker").waitFor({ timeout: 5_000 });
    assert.deepEqual([...root.errors, ...ben.errors], []);
  } finally {
    await server.stop();
  }
});
