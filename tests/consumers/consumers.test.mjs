// The npm package as other sites get it (CONTRACT §2.3, §7): `npm pack`, then
// the tarball installed into small apps (tests/consumers/<tool>/), each built
// with its own pinned tool, served on 127.0.0.1 and opened in Chromium. The
// apps' main.js / index.html are the README's usage snippets.
//
// Tool installs are cached under $TMPDIR/consentry-consumers/, keyed by each
// app's package.json + package-lock.json; the consentry tarball itself is
// installed fresh every run (`npm install --no-save <tgz>`).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { serve } from "../../scripts/serve.mjs";
import { consentCookie, freshPage, launch, ROOT } from "../e2e/harness.mjs";

const APPS = ["plain", "esbuild", "vite", "webpack"];
const CACHE = process.env.CONSENTRY_CONSUMER_CACHE || join(tmpdir(), "consentry-consumers");
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

// npm run from `npm test` would pass the root package's settings down.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_(package|lifecycle|config_(prefix|global|save))/i.test(k)));

function sh(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) {
    throw new Error(`\`${[cmd, ...args].join(" ")}\` in ${cwd} failed (${r.error?.message ?? `exit ${r.status}`}):\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout;
}

let tarball;
let packed;
let browser;

before(async () => {
  mkdirSync(CACHE, { recursive: true });
  const out = JSON.parse(sh(NPM, ["pack", "--json", "--ignore-scripts", "--pack-destination", CACHE], ROOT));
  packed = out[0];
  tarball = join(CACHE, packed.filename);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  if (tarball) rmSync(tarball, { force: true });
});

test("the tarball ships dist/ and the package files only, at the crate's version", () => {
  const files = packed.files.map((f) => f.path).sort();
  // consentry.js fetches consentry.wasm from its own folder; the ES module carries it inline.
  const want = ["consentry.css", "consentry.d.ts", "consentry.js", "consentry.mjs", "consentry.schema.json", "consentry.wasm", "consentry-server.mjs", "consentry-server.wasm", "consentry-cli.mjs", "consentry-early.js"];
  for (const f of want) assert.ok(files.includes(`dist/${f}`), `dist/${f} is in the tarball`);
  assert.deepEqual(files.filter((f) => !f.startsWith("dist/")).sort(), ["package.json"].concat(files.filter((f) => /^(README|LICEN[CS]E)/i.test(f))).sort());
  const cargo = readFileSync(join(ROOT, "Cargo.toml"), "utf8").match(/^version\s*=\s*"([^"]+)"/m)[1];
  assert.equal(packed.version, cargo);
  // Every export target exists in the tarball.
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  const targets = Object.values(pkg.exports).flatMap((v) => (typeof v === "string" ? [v] : Object.values(v)));
  for (const t of targets) assert.ok(files.includes(t.replace(/^\.\//, "")), `${t} is packed`);
});

/** A copy of app/ with its tools installed (cached) and the fresh tarball installed over it. */
function prepare(app) {
  const src = join(ROOT, "tests", "consumers", app);
  const manifest = ["package.json", "package-lock.json"].map((f) => (existsSync(join(src, f)) ? readFileSync(join(src, f)) : "")).join("\0");
  const key = createHash("sha256").update(manifest).digest("hex").slice(0, 12);
  const dir = join(CACHE, `${app}-${key}`);
  if (!existsSync(join(dir, "node_modules", ".consentry-tools-ok"))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    cpSync(src, dir, { recursive: true });
    sh(NPM, ["install", "--no-audit", "--no-fund"], dir);
    mkdirSync(join(dir, "node_modules"), { recursive: true });
    writeFileSync(join(dir, "node_modules", ".consentry-tools-ok"), key + "\n");
  }
  for (const f of readdirSync(src)) {
    if (f !== "node_modules" && f !== "dist") cpSync(join(src, f), join(dir, f), { recursive: true });
  }
  rmSync(join(dir, "dist"), { recursive: true, force: true });
  sh(NPM, ["install", "--no-audit", "--no-fund", "--no-save", tarball], dir);
  const installed = JSON.parse(readFileSync(join(dir, "node_modules", "consentry", "package.json"), "utf8"));
  assert.equal(installed.version, packed.version);
  return dir;
}

test("an installed package answers a Node server: consentry/server and npx consentry render", () => {
  const dir = prepare("plain");
  const script = `import { renderBanner, readConsent } from "consentry/server";
const html = renderBanner(undefined, "ru");
const v = readConsent("consentry=forged", "1");
process.stdout.write(JSON.stringify({ starts: html.slice(0, 50), title: html.includes("Файлы cookie"), v }));`;
  const out = JSON.parse(sh(process.execPath, ["--input-type=module", "-e", script], dir));
  assert.equal(out.starts, '<div class="cst" data-consentry="root" lang="ru" d');
  assert.equal(out.title, true);
  assert.deepEqual(out.v, { record: null, gpc: { signal: true, off: ["marketing"] } });
  const cli = sh(NPM, ["exec", "--no", "--", "consentry", "render", "--lang", "en"], dir);
  assert.match(cli, /^<div class="cst" data-consentry="root" lang="en"[^]*>Accept all<\/button>/);
});

describe("consumer apps", () => {
  for (const app of APPS) {
    test(`${app}: installs the tarball, builds, shows the banner and stores accept-all`, async () => {
      const dir = prepare(app);
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
      if (pkg.scripts?.build) sh(NPM, ["run", "build"], dir);
      const site = pkg.scripts?.build ? join(dir, "dist") : dir;
      assert.ok(existsSync(join(site, "index.html")), `${app} produced index.html`);

      const server = await serve({ port: 0, host: "127.0.0.1", www: site, dist: join(dir, "node_modules", "consentry", "dist") });
      const t = await freshPage(browser, server);
      try {
        await t.page.goto(t.url("/"), { waitUntil: "load" });
        const banner = t.page.locator('[data-consentry="banner"]');
        await banner.waitFor({ state: "visible" });
        await banner.locator('[data-consentry-action="accept-all"]').click();
        await t.page.locator("#status").filter({ hasText: "consent: accept-all" }).waitFor();
        const cookie = await consentCookie(t.context);
        assert.ok(cookie && cookie.value, "the decision is in the consentry cookie");
        assert.equal(await t.page.evaluate(() => window.Consentry.get().method), "accept-all");
        assert.equal(await t.page.evaluate(() => window.Consentry.allowed("analytics")), true);
        assert.equal(t.thirdParty.count(), 0);
        t.assertNoErrors();
      } finally {
        await t.close();
        await server.close();
      }
    });
  }
});
