// The theme switch (issue 15): light, dark or the system's, chosen in the
// profile, kept across reloads, and "system" following the system live.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { launch, person } from "./people.mjs";
import { startServer } from "./server.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => browser?.close());

const dark = (page) => page.evaluate(() => document.documentElement.classList.contains("dark"));
const background = (page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
const WHITE = "rgb(255, 255, 255)";

test("the theme follows the profile's choice, survives a reload, and System follows the system", async () => {
  const server = await startServer([]);
  try {
    const ann = await person(browser, server.base, "ann", "Ann Archer", { colorScheme: "light" });
    assert.equal(await dark(ann), false);
    assert.equal(await background(ann), WHITE);

    await ann.getByRole("button", { name: "Profile", exact: true }).click();
    const themes = ann.getByRole("group", { name: "Theme" });
    assert.equal(await themes.getByRole("button", { name: "System" }).getAttribute("aria-pressed"), "true");
    await themes.getByRole("button", { name: "Dark" }).click();
    assert.equal(await dark(ann), true, "dark although the system is light");
    assert.notEqual(await background(ann), WHITE);

    await ann.reload();
    await ann.getByRole("navigation", { name: "Main" }).waitFor();
    assert.equal(await dark(ann), true, "kept across a reload");

    await ann.getByRole("button", { name: "Profile", exact: true }).click();
    await themes.getByRole("button", { name: "System" }).click();
    assert.equal(await dark(ann), false, "system: light");
    await ann.emulateMedia({ colorScheme: "dark" });
    await ann.waitForFunction(() => document.documentElement.classList.contains("dark"));
    await themes.getByRole("button", { name: "Light" }).click();
    assert.equal(await dark(ann), false, "light although the system is dark");
    assert.equal(await background(ann), WHITE);
    assert.deepEqual(ann.errors, []);
  } finally {
    await server.stop();
  }
});
