// Web push in Chromium: the service worker registers and the browser
// subscribes with notification permission granted. Chromium's own push service
// cannot be reached here, so the push itself is tested against a local push
// service (tests/api/push.rs); what is checked here is the browser's half.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { launch, person, SHOTS } from "./people.mjs";
import { startServer } from "./server.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => browser?.close());

test("the service worker registers and notifications can be turned on for this device", async () => {
  const server = await startServer([]);
  try {
    const ann = await person(browser, server.base, "ann", "Ann Archer");
    await ann.context().grantPermissions(["notifications"], { origin: server.base });
    await ann.getByRole("button", { name: "Profile", exact: true }).click();
    const card = ann.getByRole("region", { name: "Notifications on devices" });
    await card.getByRole("button", { name: "Turn on for this device" }).click();
    await card.getByText(/This device gets notifications|Could not turn notifications on/).waitFor();
    const sw = await ann.evaluate(async () => {
      const reg = await navigator.serviceWorker.getRegistration("/");
      const sub = await reg?.pushManager.getSubscription();
      return { scope: reg?.scope, active: !!reg?.active, endpoint: sub?.endpoint ?? null };
    });
    assert.equal(sw.scope, `${server.base}/`);
    assert.ok(sw.active, "the service worker is active");
    // Headless Chromium refuses push registration here ("Registration failed -
    // permission denied": no push service to register with); where it can, the
    // subscription reaches the server and the device is listed.
    if (sw.endpoint) {
      await card.getByRole("list", { name: "Devices that get notifications" }).getByText("(this device)").waitFor();
    } else {
      await card.getByRole("alert").filter({ hasText: "Could not turn notifications on" }).waitFor();
    }
    await card.screenshot({ path: `${SHOTS}profile-push.png` });
    assert.deepEqual(ann.errors, []);
  } finally {
    await server.stop();
  }
});
