// A real SMTP server for the browser tests: aiosmtpd (scripts/test-python.sh installs
// it and sets CONFAB_TEST_PYTHON to its python) on a free loopback port,
// writing what it accepts to a Maildir that the test reads.

import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { freePort } from "./server.mjs";

const PYTHON = process.env.CONFAB_TEST_PYTHON;

/** Why the mail tests cannot run here, or null when they can. */
export function mailUnavailable() {
  if (PYTHON) return null;
  if (process.env.CI === "true") throw new Error("CONFAB_TEST_PYTHON is not set: CI must run the mail browser tests");
  return "CONFAB_TEST_PYTHON not set (scripts/test.sh sets it): mail browser tests NOT run";
}

const reachable = (port) =>
  new Promise((resolve) => {
    const s = connect(port, "127.0.0.1", () => {
      s.destroy();
      resolve(true);
    });
    s.on("error", () => resolve(false));
  });

/** Quoted-printable undone (soft breaks, =XX), enough to read a link. */
const unQuote = (raw) => raw.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));

export async function startMailbox() {
  const dir = join(mkdtempSync(join(tmpdir(), "confab-mail-")), "maildir");
  const port = await freePort();
  const child = spawn(PYTHON, ["-m", "aiosmtpd", "-n", "-l", `127.0.0.1:${port}`, "-c", "aiosmtpd.handlers.Mailbox", dir], { stdio: "ignore" });
  for (let i = 0; i < 100 && !(await reachable(port)); i++) await new Promise((r) => setTimeout(r, 50));
  const mails = () => {
    let files = [];
    try {
      files = readdirSync(join(dir, "new"));
    } catch {
      /* nothing yet */
    }
    return files.map((f) => unQuote(readFileSync(join(dir, "new", f), "utf8")));
  };
  return {
    url: `smtp://127.0.0.1:${port}`,
    /** Waits for a mail to `to` whose text has a link to `page`; returns the link. */
    async link(to, page, skip = 0) {
      const re = new RegExp(`https?://[^\\s"<>]+/${page}#token=[A-Za-z0-9_-]+`);
      for (let i = 0; i < 300; i++) {
        const found = mails().filter((m) => m.includes(to) && re.test(m));
        if (found.length > skip) return found[skip].match(re)[0];
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`no ${page} link mailed to ${to}`);
    },
    stop: () => child.kill(),
  };
}
