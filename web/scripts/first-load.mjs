// First-load time of the web client, measured in Debian's Chromium on loopback:
//   cold: a fresh browser (no cache, no session) until the sign-in page shows;
//   signed in: a new tab of a signed-in browser until the conversation list shows
//   (session refresh, the list fetched, the live connection opened).
// Usage: CONFAB_BIN=... node scripts/first-load.mjs [--web-dir DIR] [--runs N]
// Prints the median and the 90th percentile of each, in ms, and the client's
// size (gzip) as served. A benchmark, not a test: nothing here asserts a time.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

import { launch, PASSWORD } from "../e2e/people.mjs";
import { startServer } from "../e2e/server.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const webDir = arg("--web-dir", new URL("../dist", import.meta.url).pathname);
const runs = Number(arg("--runs", "15"));

const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
const ms = (xs) => `median ${quantile(xs, 0.5).toFixed(0)} ms, p90 ${quantile(xs, 0.9).toFixed(0)} ms`;

/** JS and CSS of the build, gzipped at level 9 as the server sends them. */
function gzipKiB(dir) {
  let total = 0;
  for (const f of readdirSync(join(dir, "assets"))) {
    if (!/\.(js|css)$/.test(f)) continue;
    total += gzipSync(readFileSync(join(dir, "assets", f)), { level: 9 }).length;
  }
  return (total / 1024).toFixed(1);
}

const server = await startServer(["--web-dir", webDir, "--messaging-policy", "open"]);
const browser = await launch();
try {
  const reg = await fetch(`${server.base}/api/v1/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "timer", password: PASSWORD, full_name: "Tim Timer" }),
  });
  if (reg.status !== 201) throw new Error(`register: ${reg.status}`);

  const cold = [];
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.base, { waitUntil: "commit" });
    await page.getByRole("heading", { name: "Sign in to Confab" }).waitFor();
    cold.push(await page.evaluate(() => performance.now()));
    await context.close();
  }

  const signedIn = [];
  const context = await browser.newContext();
  const first = await context.newPage();
  await first.goto(server.base);
  await first.getByLabel("Username").fill("timer");
  await first.getByLabel("Password").fill(PASSWORD);
  await first.getByRole("button", { name: "Sign in" }).click();
  await first.getByRole("navigation", { name: "Main" }).waitFor();
  await first.close();
  for (let i = 0; i < runs; i++) {
    const page = await context.newPage();
    await page.goto(server.base, { waitUntil: "commit" });
    await page.getByRole("complementary", { name: "Conversations" }).waitFor();
    signedIn.push(await page.evaluate(() => performance.now()));
    await page.close();
  }
  console.log(`client ${webDir}: ${gzipKiB(webDir)} KiB gzip (JS + CSS)`);
  console.log(`cold, to the sign-in page:   ${ms(cold)} (${runs} runs)`);
  console.log(`signed in, to the chat list: ${ms(signedIn)} (${runs} runs)`);
} finally {
  await browser.close();
  await server.stop();
}
