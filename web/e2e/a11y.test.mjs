// Accessibility (issue 15): axe-core finds no serious or critical violation on any
// main screen, light and dark, desktop and phone width; every screen has an h1; a
// screen reader hears incoming messages.

import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { after, before, test } from "node:test";

import { inChat, launch, openChatWith, person as newPerson, say } from "./people.mjs";
import { startServer } from "./server.mjs";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

let browser;
before(async () => {
  browser = await launch();
});
after(async () => browser?.close());

/** Serious and critical findings of axe-core (WCAG 2.1 A and AA, best practice) on what the page shows now. */
async function audit(page, screen) {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: AXE });
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } });
    return r.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 4).map((n) => `${n.target.join(" ")} ${n.failureSummary?.split("\n")[1]?.trim() ?? ""}`).join("\n    ")}`);
  });
  const h1 = await page.locator("h1").count();
  return [...found.map((f) => `${screen}: ${f}`), ...(h1 === 0 ? [`${screen}: no h1`] : [])];
}

for (const colorScheme of ["light", "dark"]) {
  for (const [width, height] of [
    [1200, 760],
    [375, 740],
  ]) {
    test(`no serious or critical axe-core violations: ${colorScheme}, ${width} px`, async () => {
      const server = await startServer(["--messaging-policy", "open"]);
      const problems = [];
      try {
        // The app's CSP allows no inline script; axe-core is injected as one.
        const options = { colorScheme, viewport: { width, height }, bypassCSP: true };
        // The sign-in screen, before anyone has an account.
        const visitor = await (await browser.newContext(options)).newPage();
        await visitor.goto(server.base);
        await visitor.getByRole("button", { name: /Sign in|Create/ }).first().waitFor();
        problems.push(...(await audit(visitor, "sign-in")));

        const ann = await newPerson(browser, server.base, "ann", "Ann Archer", options);
        const ben = await newPerson(browser, server.base, "ben", "Ben Baker", options);
        server.admin(["set-role", "--username", "ann", "--role", "admin"]);
        await ann.reload();
        await ann.getByRole("navigation", { name: "Main" }).waitFor();
        problems.push(...(await audit(ann, "chats, none open")));

        await openChatWith(ann, "ben", "Ben Baker");
        await say(ann, "hello Ben, how are you?");
        await ben.getByRole("button", { name: /Ann Archer/ }).first().click();
        await say(ben, "fine, and you?");
        await inChat(ann, "fine, and you?").waitFor();
        await ann.getByText("Seen").waitFor();
        // A reaction on the screen too.
        const row = ann.getByRole("list", { name: "Messages" }).locator("li[data-seq]").filter({ hasText: "fine, and you?" });
        await row.hover();
        await row.getByRole("button", { name: "Message actions" }).click();
        problems.push(...(await audit(ann, "message menu")));
        await ann.getByRole("menuitem", { name: "React thumbs up" }).click();
        await row.getByRole("group", { name: "Reactions" }).waitFor();
        problems.push(...(await audit(ann, "chat open")));

        for (const [tab, ready] of [
          ["Friends", "Your friends"],
          ["Profile", "Appearance"],
          ["Admin", "Users"],
        ]) {
          await ann.getByRole("button", { name: tab }).click();
          await ann.getByText(ready).first().waitFor();
          problems.push(...(await audit(ann, tab)));
        }
        assert.deepEqual(problems, []);
      } finally {
        await server.stop();
      }
    });
  }
}

test("a screen reader hears a message that arrives in the open chat", async () => {
  const server = await startServer(["--messaging-policy", "open"]);
  try {
    const ann = await newPerson(browser, server.base, "ann", "Ann Archer");
    const ben = await newPerson(browser, server.base, "ben", "Ben Baker");
    await openChatWith(ann, "ben", "Ben Baker");
    await say(ann, "first");
    await ben.getByRole("button", { name: /Ann Archer/ }).first().click();
    await inChat(ben, "first").waitFor();
    await say(ann, "can you hear me?");
    const live = ben.locator("[aria-live='polite'], [aria-live='assertive'], [role='log'], [role='status']").filter({ hasText: "Ann Archer: can you hear me?" });
    await live.first().waitFor({ state: "attached", timeout: 5_000 });
    assert.deepEqual([...ann.errors, ...ben.errors], []);
  } finally {
    await server.stop();
  }
});
