// Receipts from Chromium to the consent ledger (issue 16): accept, reject,
// custom, withdrawal, and a receipt queued while the ledger was down, each
// stored once with the hash of the config the visitor saw.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, test } from "node:test";
import { startLedger, withConfig } from "../../scripts/ledger.mjs";
import { freshPage, launch, startServer } from "./harness.mjs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

let browser, server, plain, ledger, hook;
const dir = mkdtempSync(join(tmpdir(), "consentry-ledger-e2e-"));

before(async () => {
  server = await startServer({ onRequest: (...a) => hook(...a) });
  plain = await startServer();
  ledger = await startLedger({ origins: [server.url], dir });
  hook = withConfig(ledger.configText);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
  await plain?.close();
  await ledger?.stop();
});

const sha256 = (s) => createHash("sha256").update(s).digest("hex");
const expectedHash = (lang) => sha256(`consentry-config-v1\n${lang}\n${JSON.stringify(JSON.parse(ledger.configText))}`);

async function history(id) {
  const res = await fetch(`${ledger.url}/consent/records/${id}`);
  assert.equal(res.status, 200);
  return (await res.json()).events;
}

/** Waits (10 s at most) until the ledger holds `n` events for `id`. */
async function stored(id, n) {
  for (let i = 0; i < 100; i++) {
    const events = await history(id);
    if (events.length >= n) return events;
    await new Promise((r) => setTimeout(r, 100));
  }
  return history(id);
}

test("accept, custom, reject and withdrawal arrive in order with the config hash", async () => {
  const t = await freshPage(browser, server);
  await t.goto("/");
  await t.page.click('[data-consentry="banner"] [data-consentry-action="accept-all"]');
  const id = await t.page.evaluate(() => window.Consentry.get().id);
  await stored(id, 1);
  await t.page.evaluate(() => window.Consentry.set({ analytics: true, marketing: false }));
  await stored(id, 2);
  await t.page.evaluate(() => window.Consentry.rejectAll());
  await stored(id, 3);
  await t.page.evaluate(() => window.Consentry.reset());
  const events = await stored(id, 4);
  assert.equal(await t.page.evaluate(() => localStorage.getItem("consentry:ledger")), null, "the queue is empty");
  assert.deepEqual(
    events.map((e) => [e.kind, e.method]),
    [["decision", "accept-all"], ["decision", "custom"], ["decision", "reject-all"], ["withdrawal", "reject-all"]],
  );
  for (const e of events) {
    assert.equal(e.config_hash, expectedHash("en"));
    assert.equal(e.page, `${server.url}/`);
    assert.equal(e.ip, null, "no IP address by default");
  }
  assert.equal(events[1].categories.analytics, true);
  assert.equal(events[1].categories.marketing, false);
  t.assertNoErrors();
  await t.close();
});

test("a receipt made while the ledger is down is queued and delivered once on a later page view", async () => {
  const t = await freshPage(browser, server);
  await t.goto("/");
  await ledger.stop();
  await t.page.click('[data-consentry="banner"] [data-consentry-action="reject-all"]');
  await t.page.waitForFunction(() => JSON.parse(localStorage.getItem("consentry:ledger") || "[]").length === 1);
  const id = await t.page.evaluate(() => window.Consentry.get().id);
  // The same server back, same database, same port.
  ledger = await startLedger({ origins: [server.url], dir, port: ledger.port, database: ledger.database, build: false });
  await t.reload();
  await stored(id, 1);
  await t.page.waitForFunction(() => !localStorage.getItem("consentry:ledger"));
  await t.reload(); // nothing left to send: no second copy
  const events = await history(id);
  assert.equal(events.length, 1);
  assert.equal(events[0].method, "reject-all");
  assert.equal(events[0].config_hash, expectedHash("en"));
  await t.close();
});

test("without [ledger] endpoint nothing is sent", async () => {
  const t = await freshPage(browser, plain);
  const toLedger = [];
  t.page.on("request", (r) => {
    if (r.url().startsWith(ledger.url)) toLedger.push(r.url());
  });
  await t.goto("/");
  await t.page.click('[data-consentry="banner"] [data-consentry-action="accept-all"]');
  await t.page.evaluate(() => window.Consentry.reset());
  await t.reload();
  assert.deepEqual(toLedger, []);
  assert.equal(await t.page.evaluate(() => localStorage.getItem("consentry:ledger")), null);
  t.assertNoErrors();
  await t.close();
});
