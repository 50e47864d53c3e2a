// Files and images in the browser: attach, paste and drop; upload progress and
// cancel; thumbnails in a box of their own shape; the viewer with its keys; file
// cards that download. Saves docs/screenshots/images.png and viewer.png.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { crc32, deflateSync } from "node:zlib";

import { composer, inChat, launch, openChatWith, person as newPerson, rowFor, SHOTS } from "./people.mjs";
import { startServer } from "./server.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => browser?.close());

const person = (...args) => newPerson(browser, ...args);

/** A w×h RGB PNG: a colour gradient, or noise (which does not compress: a file
 * of a known, large size for the progress test). */
function png(w, h, noise = false) {
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = y * (w * 3 + 1) + 1 + x * 3;
      raw[o] = noise ? Math.random() * 256 : (x * 255) / w;
      raw[o + 1] = noise ? Math.random() * 256 : (y * 255) / h;
      raw[o + 2] = 160;
    }
  }
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}

/** Puts files on the page the way a paste or a drop does (a DataTransfer). */
async function transfer(page, selector, event, files) {
  await page.evaluate(
    ({ selector, event, files }) => {
      const dt = new DataTransfer();
      for (const f of files) {
        const bytes = f.b64 ? Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0)) : f.text;
        dt.items.add(new File([bytes], f.name, { type: f.type }));
      }
      const target = document.querySelector(selector);
      const e = event === "paste" ? new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true }) : new DragEvent(event, { dataTransfer: dt, bubbles: true, cancelable: true });
      target.dispatchEvent(e);
    },
    { selector, event, files },
  );
}

test("people send pictures and files, see them in place and open them full size", async () => {
  const server = await startServer(["--messaging-policy", "open"]);
  try {
    const ann = await person(server.base, "ann", "Ann Archer");
    const ben = await person(server.base, "ben", "Ben Baker");
    await openChatWith(ann, "ben", "Ben Baker");

    // The attach button: two pictures and a caption in one message.
    await ann.getByLabel("Files to attach").setInputFiles([
      { name: "beach.png", mimeType: "image/png", buffer: png(300, 150) },
      { name: "tall.png", mimeType: "image/png", buffer: png(100, 200) },
    ]);
    await ann.getByRole("list", { name: "Files to send" }).getByText("beach.png").waitFor();
    await composer(ann).fill("Look at these");
    await composer(ann).press("Enter");
    await inChat(ann, "Look at these").waitFor();
    await ann.getByRole("button", { name: "Open image beach.png" }).waitFor();

    await ben.getByRole("button", { name: /Archer/ }).first().click();
    const beach = ben.getByRole("button", { name: "Open image beach.png" });
    await beach.waitFor();
    // The box has the picture's shape (300×150 shown in 240×120) before and after it loads.
    const box = await beach.boundingBox();
    assert.deepEqual([Math.round(box.width), Math.round(box.height)], [240, 120]);
    await ben.waitForFunction(() => [...document.querySelectorAll('img[alt="beach.png"]')].some((i) => i.complete && i.naturalWidth > 0));
    const tall = await ben.getByRole("button", { name: "Open image tall.png" }).boundingBox();
    // Small pictures keep their size: never blown up.
    assert.deepEqual([Math.round(tall.width), Math.round(tall.height)], [100, 200]);

    // A pasted file and a dropped picture.
    await transfer(ann, 'textarea[aria-label="Message"]', "paste", [{ name: "notes.txt", type: "text/plain", text: "the plan, in words\n" }]);
    await ann.getByRole("list", { name: "Files to send" }).getByText("notes.txt").waitFor();
    await composer(ann).press("Enter");
    const card = ben.getByRole("link", { name: /Download notes\.txt/ });
    await card.waitFor();
    const href = await card.getAttribute("href");
    assert.match(href, /^\/api\/v1\/files\/[0-9a-f-]+\/original\?u=/);
    assert.equal(await ben.evaluate(async (h) => (await fetch(h)).text(), href), "the plan, in words\n");

    // The viewer: opens on the picture clicked, arrows go through them, Esc closes.
    await beach.click();
    const viewer = ben.getByRole("dialog");
    await viewer.getByRole("heading", { name: /1 of 2$/ }).waitFor();
    await ben.waitForFunction(() => {
      const i = document.querySelector('[role="dialog"] img');
      return i && i.complete && i.naturalWidth === 300;
    });
    await ben.screenshot({ path: `${SHOTS}viewer.png` });
    await ben.keyboard.press("ArrowRight");
    await viewer.getByRole("heading", { name: /2 of 2$/ }).waitFor();
    await ben.keyboard.press("ArrowLeft");
    await viewer.getByRole("heading", { name: /1 of 2$/ }).waitFor();
    await ben.keyboard.press("Escape");
    await viewer.waitFor({ state: "detached" });

    // A slow upload shows its progress and can be cancelled: nothing is sent.
    const cdp = await ann.context().newCDPSession(ann);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 64 * 1024 });
    const big = png(400, 400, true);
    await ann.getByLabel("Files to attach").setInputFiles([{ name: "noise.png", mimeType: "image/png", buffer: big }]);
    await composer(ann).fill("slow one");
    await composer(ann).press("Enter");
    const bar = ann.getByRole("progressbar", { name: "Uploading noise.png" });
    await bar.waitFor();
    await ann.waitForFunction(() => Number(document.querySelector('[role="progressbar"]')?.getAttribute("aria-valuenow")) > 0);
    await ann.getByRole("button", { name: "Cancel noise.png" }).click();
    await bar.waitFor({ state: "detached" });
    // The caption stays, and goes out without the file.
    await inChat(ben, "slow one").waitFor();
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });

    // Dropped on the conversation: a file and a picture; a pasted picture.
    await transfer(ann, 'ol[aria-label="Messages"]', "drop", [
      { name: "dropped.txt", type: "text/plain", text: "dropped" },
      { name: "dropped.png", type: "image/png", b64: png(60, 30).toString("base64") },
    ]);
    await ann.getByRole("list", { name: "Files to send" }).getByText("dropped.png").waitFor();
    await composer(ann).press("Enter");
    await ben.getByRole("link", { name: /Download dropped\.txt/ }).waitFor();
    await ben.getByRole("button", { name: "Open image dropped.png" }).waitFor();
    await transfer(ann, 'textarea[aria-label="Message"]', "paste", [{ name: "pasted.png", type: "image/png", b64: png(30, 60).toString("base64") }]);
    await composer(ann).press("Enter");
    const pasted = ben.getByRole("button", { name: "Open image pasted.png" });
    await pasted.waitFor();
    const pastedBox = await pasted.boundingBox();
    assert.deepEqual([Math.round(pastedBox.width), Math.round(pastedBox.height)], [30, 60]);
    assert.equal(await ben.getByRole("button", { name: "Open image noise.png" }).count(), 0);

    // The gallery: the conversation's pictures, newest first, and its files.
    await ben.getByRole("button", { name: "Pictures and files" }).click();
    const gallery = ben.getByRole("dialog", { name: "Pictures and files" });
    const pictures = gallery.getByRole("list", { name: "Pictures" });
    await pictures.getByRole("button", { name: "Open image tall.png" }).waitFor();
    assert.deepEqual(await pictures.getByRole("button").evaluateAll((bs) => bs.map((b) => b.getAttribute("aria-label"))), ["Open image pasted.png", "Open image dropped.png", "Open image beach.png", "Open image tall.png"]);
    await pictures.getByRole("button", { name: "Open image tall.png" }).click();
    await ben.getByRole("heading", { name: /tall\.png .* 4 of 4$/ }).waitFor();
    // Once the viewer has focus (as it has by the time a person reaches for Esc),
    // Esc closes the viewer only: the gallery stays open.
    await ben.waitForFunction(() => [...document.querySelectorAll('[role="dialog"]')].some((d) => /4 of 4$/.test(d.textContent ?? "") && d.contains(document.activeElement)));
    await ben.keyboard.press("Escape");
    await ben.getByRole("heading", { name: /4 of 4$/ }).waitFor({ state: "detached" });
    await ben.getByRole("tab", { name: "Files" }).click();
    await gallery.getByRole("link", { name: /Download dropped\.txt/ }).waitFor();
    await gallery.getByRole("link", { name: /Download notes\.txt/ }).waitFor();

    // A profile picture: set on the profile page, seen by the other in the list
    // of conversations (and beside his messages) after her next load.
    await ben.keyboard.press("Escape");
    await ben.getByRole("button", { name: "Profile", exact: true }).click();
    await ben.getByLabel("Choose a picture").setInputFiles({ name: "me.png", mimeType: "image/png", buffer: png(300, 150) });
    await ben.getByText("Picture saved").waitFor();
    await ben.waitForFunction(() => [...document.querySelectorAll('[aria-label="Profile picture"] img')].some((i) => i.complete && i.naturalWidth === 150));
    await ben.getByRole("button", { name: "Chats" }).click();
    await ben.getByRole("button", { name: /Archer/ }).first().click();
    await composer(ben).fill("my new picture");
    await composer(ben).press("Enter");
    await inChat(ann, "my new picture").waitFor();
    await ann.reload();
    await ann.waitForFunction(() => [...document.querySelectorAll("nav img")].some((i) => i.complete && i.naturalWidth === 150));

    await rowFor(ann, /Baker/).click();
    await inChat(ann, "my new picture").waitFor();
    await ann.waitForFunction(() => [...document.querySelectorAll("ol img")].filter((i) => i.complete && i.naturalWidth > 0).length >= 3);
    await ann.screenshot({ path: `${SHOTS}images.png` });

    // A group picture, set in the group's settings: a system message says so and
    // the picture replaces the initials in the list.
    await ann.getByRole("button", { name: "New group" }).click();
    await ann.getByLabel("Group name").fill("Climbers");
    await ann.getByLabel("Members").fill("ben");
    await ann.getByRole("button", { name: "Create group" }).click();
    await ann.getByRole("heading", { name: "Climbers" }).waitFor();
    await ann.getByRole("button", { name: "Group settings" }).click();
    await ann.getByLabel("Choose a group picture").setInputFiles({ name: "rock.png", mimeType: "image/png", buffer: png(120, 240) });
    await ann.getByText("Group picture saved").waitFor();
    await ann.keyboard.press("Escape");
    await ben.getByRole("button", { name: /Climbers/ }).first().click();
    await inChat(ben, "Ann Archer changed the group picture").waitFor();
    await ben.waitForFunction(() => [...document.querySelectorAll("nav button img")].some((i) => i.complete && i.naturalWidth === 120));

    assert.deepEqual([...ann.errors, ...ben.errors], []);
  } finally {
    server.stop();
  }
});
