// Starts a real Confab server for the browser tests: a fresh data directory, a
// free loopback port, the built client from web/dist.

import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BIN = process.env.CONFAB_BIN;
const WEB = new URL("../dist", import.meta.url).pathname;

export function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function startServer(extra = []) {
  if (!BIN) throw new Error("set CONFAB_BIN to the confab binary");
  const dataDir = mkdtempSync(join(tmpdir(), "confab-e2e-"));
  const port = await freePort();
  const common = ["--data-dir", dataDir, "--password-hash-memory-kib", "1024", "--log", "warn", "--default-group-invites", "everyone", "--first-account-admin", "false"];
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(BIN, [...common, "--listen", `127.0.0.1:${port}`, "--public-url", base, "--web-dir", WEB, "--presence-grace-secs", "1", ...extra], { stdio: ["ignore", "inherit", "inherit"] });
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${base}/readyz`)).ok) break;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    base,
    /** Runs `confab admin ...` against this server's database (password on stdin). */
    admin(args, password) {
      const r = spawnSync(BIN, [...common, "admin", ...args], { input: password ? `${password}\n` : "", encoding: "utf8" });
      if (r.status !== 0) throw new Error(r.stderr);
    },
    stop: () => new Promise((resolve) => {
      child.once("exit", resolve);
      child.kill("SIGTERM");
    }),
  };
}
