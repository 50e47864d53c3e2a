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

/**
 * The looks every feature test runs in (issue 15: desktop and 375 px, light and
 * dark): a desktop window in light, and a 375 px touch phone in dark.
 */
export const LOOKS = [
  { name: "desktop, light", desktop: true, options: { colorScheme: "light" } },
  { name: "375 px phone, dark", desktop: false, options: { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true, colorScheme: "dark" } },
];

/** On a phone an open chat covers the list: go back to it (no-op on a desktop). */
export async function toList(page) {
  const back = page.getByRole("button", { name: "Back to conversations" });
  const search = page.getByLabel("Search conversations and people");
  // Right after a load neither may be drawn yet: wait for one of them.
  await back.or(search).filter({ visible: true }).first().waitFor();
  if (await back.isVisible()) await back.click();
  await search.waitFor();
}

/** A conversation's row in the sidebar, the only one matching `name` (a second
 *  one is an error). Not `getByRole("button", { name }).first()`: right after a
 *  reload the open chat's header (which names the person too, and opens their
 *  profile) can be drawn before the list, and be the first match. */
export const rowFor = (page, name) =>
  page.getByRole("complementary", { name: "Conversations" }).getByRole("button", { name });

export const composer = (page) => page.getByRole("textbox", { name: "Message" });
/** A message in the open conversation (not its preview in the sidebar). */
export const inChat = (page, text) => page.getByRole("list", { name: "Messages" }).getByText(text);

export async function say(page, text) {
  await composer(page).fill(text);
  await composer(page).press("Enter");
}

/** Opens (or starts) the direct chat with someone found by the sidebar search. */
export async function openChatWith(page, query, fullName) {
  await toList(page);
  await page.getByLabel("Search conversations and people").fill(query);
  await page.getByRole("button", { name: new RegExp(fullName) }).click();
}
