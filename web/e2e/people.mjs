// Shared by the browser tests: Debian's Chromium (never a downloaded browser) and
// the few steps every test takes as a person would.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { chromium } from "playwright-core";

export const PASSWORD = "correct horse battery";
// Screenshots go to docs/screenshots/ only when asked (`npm run screenshots`):
// a test run leaves the tracked files alone.
export const SHOTS =
  process.env.CONFAB_SCREENSHOTS === "1" ? new URL("../../docs/screenshots/", import.meta.url).pathname : `${mkdtempSync(join(tmpdir(), "confab-shots-"))}/`;

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}

/** A new person in a browser context of their own: registers and waits for the app. */
export async function person(browser, base, username, fullName, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 760 }, ...options });
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(String(e)));
  page.on("dialog", (d) => {
    page.errors.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(base);
  await page.getByRole("button", { name: "New here? Create an account" }).click();
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Full name").fill(fullName);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByRole("navigation", { name: "Main" }).waitFor();
  return page;
}

export const composer = (page) => page.getByRole("textbox", { name: "Message" });
/** A message in the open conversation (not its preview in the sidebar). */
export const inChat = (page, text) => page.getByRole("list", { name: "Messages" }).getByText(text);

export async function say(page, text) {
  await composer(page).fill(text);
  await composer(page).press("Enter");
}

/** Opens (or starts) the direct chat with someone found by the sidebar search. */
export async function openChatWith(page, query, fullName) {
  await page.getByLabel("Search conversations and people").fill(query);
  await page.getByRole("button", { name: new RegExp(fullName) }).click();
}
