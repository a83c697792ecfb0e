// One verdict, three readers (CONTRACT §8, "What a server sees"): the
// browser's gate, consentry/server's readConsent (the core compiled for
// Node) and consentry-server's consent::read (the core in the Rust server)
// read the same Cookie and Sec-GPC headers, tampered ones included, and must
// agree on every one. The one rule that differs by design is checked as
// such: copies that disagree are resolved by the gate's own-spot probe and
// are no decision for a server.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { ROOT, freshPage, launch, startServer, waitReady } from "./harness.mjs";
import { ID, b36, tamperedValues, validValue } from "../fixtures/cookies.mjs";
import { SERVER_BIN, buildServer } from "../../scripts/ledger.mjs";

const { readConsent } = await import(join(ROOT, "dist", "consentry-server.mjs"));

const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>verdicts</title>
<script src="/assets/consentry/consentry.js" defer></script></head><body><p>verdicts</p></body></html>`;

let browser;
let server;
const seen = [];
before(async () => {
  buildServer();
  browser = await launch();
  server = await startServer({
    onRequest(req, res, { pathname }) {
      if (!pathname.startsWith("/v/")) return false;
      seen.push({ cookie: req.headers.cookie, gpc: req.headers["sec-gpc"] });
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
      res.end(PAGE);
      return true;
    },
  });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/** Cookie values a browser will hold (no ';' and no control characters). */
const storable = (v) => !/[;\x00-\x1f\x7f]/.test(v) && v.length + "consentry".length <= 4096;

function cases() {
  const now = Math.floor(Date.now() / 1000) - 60;
  const one = (name, value, gpc = false) => ({ name, copies: [{ value, path: "/" }], gpc });
  const out = [];
  for (const c of tamperedValues()) if (storable(c.value)) out.push(one(c.name, c.value));
  const valid = {
    "accept all": validValue(),
    "reject all": validValue({ method: "r", choices: "settings:0~marketing:0~analytics:0" }),
    custom: validValue({ method: "c", choices: "settings:1~marketing:0~analytics:1" }),
    "accept all, marketing off (what GPC stores)": validValue({ choices: "settings:1~marketing:0~analytics:1" }),
    "custom, marketing on": validValue({ method: "c", choices: "settings:0~marketing:1~analytics:0" }),
  };
  for (const [name, v] of Object.entries(valid)) {
    out.push(one(name, v));
    out.push(one(`${name}, Sec-GPC: 1`, v, true));
  }
  out.push({ name: "no cookie", copies: [], gpc: false });
  out.push({ name: "no cookie, Sec-GPC: 1", copies: [], gpc: true });
  out.push({ name: "a tampered value, Sec-GPC: 1", copies: [{ value: valid.custom.replace(".c.", ".x."), path: "/" }], gpc: true });
  // Two copies with the same value: both readers take it.
  out.push({ name: "the same value on / and /v", copies: [{ value: valid.custom, path: "/" }, { value: valid.custom, path: "/v" }] });
  // Two that disagree: the gate probes its own spot (Path=/), a server cannot.
  const forged = `c1.1.${ID}.${b36(now + 60)}.${b36(now + 60)}.a.settings:1~marketing:1~analytics:1`;
  out.push({ name: "disagreeing copies: own reject-all on /, a newer accept-all on /v", copies: [{ value: valid["reject all"], path: "/" }, { value: forged, path: "/v" }], differs: true });
  return out;
}

/** The Rust server function's verdicts for header pairs, through `consentry-server verdicts`. */
function rust(headers) {
  const input = headers.map((h) => JSON.stringify({ cookie: h.cookie ?? null, gpc: h.gpc ?? null })).join("\n") + "\n";
  const r = spawnSync(SERVER_BIN, ["--config", join(ROOT, "categories.toml"), "verdicts"], { input, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split("\n").map((l) => JSON.parse(l));
}

test("the gate, consentry/server and the Rust server give the same verdict on every cookie header", async () => {
  const all = cases();
  assert.ok(all.length >= 80, `${all.length} cases`);
  const contexts = {};
  for (const gpc of [false, true]) {
    const t = await freshPage(browser, server, { contextOptions: gpc ? { extraHTTPHeaders: { "Sec-GPC": "1" } } : {} });
    if (gpc) await t.page.addInitScript(() => Object.defineProperty(Navigator.prototype, "globalPrivacyControl", { get: () => true }));
    contexts[gpc] = t;
  }
  try {
    const browserSaid = [];
    for (const c of all) {
      const t = contexts[Boolean(c.gpc)];
      await t.context.clearCookies();
      for (const k of c.copies) await t.context.addCookies([{ name: "consentry", value: k.value, domain: "127.0.0.1", path: k.path }]);
      const before = seen.length;
      await t.goto("/v/page");
      assert.equal(seen.length, before + 1, c.name);
      browserSaid.push(await t.page.evaluate(() => window.Consentry.get()));
    }
    const headers = seen.slice(-all.length);
    const rustSaid = rust(headers);
    let agreed = 0;
    for (const [i, c] of all.entries()) {
      const node = readConsent(headers[i].cookie, headers[i].gpc);
      assert.deepEqual(rustSaid[i], node, `${c.name}: Rust and Node`);
      assert.equal(node.gpc.signal, Boolean(c.gpc), c.name);
      if (c.differs) {
        assert.equal(node.record, null, `${c.name}: a server takes no decision from disagreeing copies`);
        assert.equal(browserSaid[i]?.method, "reject-all", `${c.name}: the gate finds its own copy`);
        continue;
      }
      assert.deepEqual(browserSaid[i], node.record, `${c.name}: browser and Node (Cookie: ${headers[i].cookie})`);
      agreed++;
    }
    // Not only "no decision" everywhere: valid ones were read by all three.
    assert.ok(browserSaid.filter(Boolean).length >= 12, "valid cases read");
    assert.ok(agreed >= all.length - 1);
    // GPC: a stored accept-all refuses marketing (gpc = true), a custom one stands.
    const gpcAccept = all.findIndex((c) => c.name === "accept all, Sec-GPC: 1");
    assert.equal(browserSaid[gpcAccept].categories.marketing, false);
    assert.deepEqual(readConsent(headers[gpcAccept].cookie, "1").gpc.off, ["marketing"]);
    const gpcCustom = all.findIndex((c) => c.name === "custom, marketing on, Sec-GPC: 1");
    assert.equal(browserSaid[gpcCustom].categories.marketing, true);
    assert.deepEqual(readConsent(headers[gpcCustom].cookie, "1").gpc.off, []);
  } finally {
    for (const t of Object.values(contexts)) await t.close();
  }
});
