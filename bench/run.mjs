#!/usr/bin/env node
// `npm run bench`: consentry against four peer consent managers on the same
// page, side by side. Writes bench/RESULTS.md (and the raw samples to
// bench/results.json) and prints the table.
//
//   node bench/run.mjs                 # 15 runs per library and variant (BENCH_RUNS to change)
//   node bench/run.mjs --runs 3        # quicker look
//   node bench/run.mjs --only consentry,orejime
//   node bench/run.mjs --no-write      # print only
//
// Needs dist/ (`node scripts/build.mjs`) and the peers from devDependencies.
// Every third-party request is answered locally (tests/e2e/harness.mjs); the
// page and the libraries come from 127.0.0.1, compressed the way a CDN would
// send them (brotli if the browser asks for it, else gzip).
//
// Variants, each visit in a fresh browser context:
//   first visit     no stored decision; the banner, then (2 s later) a click
//                   on the banner's "preferences" button
//   throttled       the same with CDP CPU throttling x4 and 150 ms latency,
//                   1.6 Mbps down / 750 kbps up
//   pre-rendered    consentry only, and only when dist/ has a Node renderer
//                   (a module exporting renderBanner, or `consentry render`
//                   through the package's bin): the first visit with the
//                   renderer's markup first in <body>; plain and throttled
//   returning       a visitor holding the library's own "accepted all" cookie,
//                   obtained by clicking its accept button in a warm-up run;
//                   then the library's documented call opens its preferences
//
// What is measured:
//   bytes       gzip -9 and brotli q11 of every file the bench server sent
//               from the library's own folder during the visit (its request
//               log, so a build split into more files is counted as fetched),
//               compressed here with node's zlib the same way for every tool
//   banner      performance.now() when the library's banner element is in the
//               DOM, has a box in the viewport and passes checkVisibility()
//               (opacity and visibility included), polled by a
//               MutationObserver and requestAnimationFrame from an init script
//   Preferences from the click's event timeStamp (or the API call) to the
//               preferences dialog being visible, by the same probe
//   script      CDP Performance.getMetrics ScriptDuration, page start to
//               2 s after the banner (the page's own scripts are the same
//               for every library)
//   long tasks  PerformanceObserver "longtask" entries: until banner + 2 s,
//               from the click until dialog + 0.5 s, and for a returning
//               visitor until load + 1 s
//   CLS         sum of layout-shift values (no recent input) in those windows;
//               the page has no other late content, so shifts are the library's
//   returning   CDP Network.requestWillBeSent timestamp of the first request
//               for the gated gtag.js minus that of the document request

import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { extname, join } from "node:path";
import { execFileSync } from "node:child_process";
import os from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import { brotliCompressSync, constants as zc, gzipSync } from "node:zlib";
import { serve, MIME } from "../scripts/serve.mjs";
import { launch, trackThirdParty } from "../tests/e2e/harness.mjs";
import { CONSENTRY_CONFIG, LIBS } from "./libs.mjs";
import { PREFS_JS, page } from "./page.mjs";

const ROOT = join(import.meta.dirname, "..");
const GA_MATCH = "googletagmanager.com/gtag/js";
const GATED = /googletagmanager\.com|google-analytics\.com|facebook\.(com|net)|youtube(-nocookie)?\.com/;
const VIEWPORT = { width: 1280, height: 800 };
const AFTER_BANNER_MS = 2000;
const AFTER_BANNER_THROTTLED_MS = 1000;
const AFTER_DIALOG_MS = 500;
const AFTER_RETURN_MS = 1000;

// ---------------------------------------------------------------- arguments

export function args(argv = process.argv.slice(2), env = process.env) {
  const get = (name) => {
    const i = argv.findIndex((a) => a === name || a.startsWith(name + "="));
    if (i < 0) return undefined;
    return argv[i].includes("=") ? argv[i].split("=")[1] : argv[i + 1];
  };
  const given = get("--runs") ?? env.BENCH_RUNS ?? 15;
  const runs = Number(given);
  if (!Number.isInteger(runs) || runs < 1 || runs > 100) throw new Error(`--runs (or BENCH_RUNS) wants an integer from 1 to 100, got ${given}`);
  const only = get("--only")?.split(",").map((s) => s.trim());
  const libs = only ? LIBS.filter((l) => only.includes(l.id)) : LIBS;
  if (only && libs.length !== only.length) throw new Error(`--only: known libraries are ${LIBS.map((l) => l.id).join(", ")}`);
  return { runs, libs, write: !argv.includes("--no-write") };
}

// ---------------------------------------------------------------- sizes

const gzip = (buf) => gzipSync(buf, { level: 9 });
const brotli = (buf) =>
  brotliCompressSync(buf, {
    params: {
      [zc.BROTLI_PARAM_QUALITY]: zc.BROTLI_MAX_QUALITY,
      [zc.BROTLI_PARAM_LGWIN]: zc.BROTLI_MAX_WINDOW_BITS,
      [zc.BROTLI_PARAM_SIZE_HINT]: buf.length,
    },
  });

const weighed = new Map(); // "file|mtime" -> {raw, gzip, brotli}

/** Raw, gzip -9 and brotli q11 bytes of one file, computed once per version of it. */
function weigh(file) {
  const key = `${file}|${statSync(file).mtimeMs}`;
  let w = weighed.get(key);
  if (!w) {
    const buf = readFileSync(file);
    weighed.set(key, (w = { raw: buf.length, gzip: gzip(buf).length, brotli: brotli(buf).length }));
  }
  return w;
}

/** Raw, gzip -9 and brotli q11 bytes of each file, and their sum. */
export function libBytes(files) {
  const each = files.map((file) => ({ file, ...weigh(file) }));
  const sum = (k) => each.reduce((a, f) => a + f[k], 0);
  return { files: each, raw: sum("raw"), gzip: sum("gzip"), brotli: sum("brotli") };
}

// ---------------------------------------------------------------- the first layer, rendered by the build itself

/**
 * Finds a server-side renderer of the first layer in a build, if it has one:
 * a Node module in `dist` (.mjs or .cjs, its text naming renderBanner) that
 * exports `renderBanner(config, lang)`, else a `render` command of the
 * package's bin (`consentry render --lang en config.toml`). Nothing is
 * guessed: without either, the pre-rendered variant reports "n/a".
 * @returns {Promise<{how: string, render: (config: object, lang: string) => Promise<string>} | null>}
 */
export async function findRenderer(dist, root = ROOT) {
  if (existsSync(dist)) {
    // Names that say "server" or "render" first, then the rest in order.
    const rank = (f) => (/server|render|node/i.test(f) ? 0 : 1);
    const files = readdirSync(dist)
      .filter((f) => /\.(mjs|cjs)$/.test(f))
      .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    for (const f of files) {
      const path = join(dist, f);
      if (!readFileSync(path, "latin1").includes("renderBanner")) continue;
      let mod;
      try {
        mod = await import(pathToFileURL(path).href);
      } catch {
        continue;
      }
      const fn = mod.renderBanner ?? mod.default?.renderBanner;
      if (typeof fn !== "function") continue;
      return { how: `\`renderBanner(config, lang)\` from dist/${f}`, render: async (config, lang) => fn(config, lang) };
    }
  }
  let bin;
  try {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    bin = typeof pkg.bin === "string" ? pkg.bin : pkg.bin?.consentry;
  } catch {
    return null;
  }
  if (!bin || !existsSync(join(root, bin)) || !readFileSync(join(root, bin), "utf8").includes("render")) return null;
  return {
    how: `\`consentry render --lang <lang> <config.toml>\` (${bin})`,
    render: async (config, lang) => {
      const { stringify } = await import("smol-toml");
      const dir = mkdtempSync(join(os.tmpdir(), "consentry-render-"));
      try {
        const toml = join(dir, "config.toml");
        writeFileSync(toml, stringify(config));
        return execFileSync(process.execPath, [join(root, bin), "render", "--lang", lang, toml], { cwd: root, encoding: "utf8" });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

// ---------------------------------------------------------------- server

const COMPRESSIBLE = new Set([".js", ".mjs", ".css", ".wasm", ".html", ".svg", ".json"]);
const packed = new Map(); // "path|mtime|encoding" -> compressed Buffer

/** Sends body compressed as the browser asks (brotli, else gzip), compressing each file once. */
function send(req, res, body, type, key) {
  const accepts = String(req.headers["accept-encoding"] ?? "");
  const enc = /\bbr\b/.test(accepts) ? "br" : /\bgzip\b/.test(accepts) ? "gzip" : null;
  const k = `${key}|${enc}`;
  let out = packed.get(k);
  if (!out) packed.set(k, (out = enc === "br" ? brotli(body) : enc === "gzip" ? gzip(body) : body));
  res.writeHead(200, {
    "Content-Type": type,
    "Content-Length": out.length,
    Vary: "Accept-Encoding",
    ...(enc ? { "Content-Encoding": enc } : {}),
  });
  res.end(req.method === "HEAD" ? undefined : out);
}

/**
 * The bench server. `served` logs every file it sent ({pathname, file}), in
 * order: a visit's bytes are the log entries made while it ran.
 */
function startServer(libs, pages) {
  const ours = libs.find((l) => l.id === "consentry");
  const served = [];
  return serve({
    port: 0,
    host: "127.0.0.1",
    ...(ours ? { dist: ours.dir } : {}),
    mounts: libs.filter((l) => l.mount !== "/assets/consentry/").map((l) => [l.mount, l.dir]),
    onRequest(req, res, { pathname, file }) {
      if (pages.has(pathname)) return send(req, res, pages.get(pathname), MIME[".html"], pathname), true;
      if (pathname === "/bench/prefs.js") return send(req, res, Buffer.from(PREFS_JS), MIME[".js"], pathname), true;
      if (!file || req.method !== "GET") return false;
      served.push({ pathname, file });
      if (!COMPRESSIBLE.has(extname(file))) return false;
      const key = `${file}|${statSync(file).mtimeMs}`;
      send(req, res, readFileSync(file), MIME[extname(file)] ?? "application/octet-stream", key);
      return true;
    },
  }).then((s) => ({ ...s, served }));
}

/** The library's own files the server sent since `mark`, with their sizes. */
function sentSince(server, lib, mark) {
  const files = [...new Set(server.served.slice(mark).filter((e) => e.pathname.startsWith(lib.mount)).map((e) => e.file))].sort();
  const b = libBytes(files);
  return { files, gzip: b.gzip, brotli: b.brotli };
}

// ---------------------------------------------------------------- in-page probe

/** Runs in the page before any of its scripts (top frame only). */
function probe({ banner, dialog }) {
  if (window !== window.top) return;
  const b = (window.__bench = { at: {}, clickAt: null, longtasks: [], shifts: [] });
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) b.longtasks.push([e.startTime, e.duration]);
    }).observe({ type: "longtask", buffered: true });
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (!e.hadRecentInput) b.shifts.push([e.startTime, e.value]);
    }).observe({ type: "layout-shift", buffered: true });
  } catch {}
  const visible = (selector) => {
    for (const el of document.querySelectorAll(selector)) {
      const r = el.getBoundingClientRect();
      if (r.width < 1 || r.height < 1) continue;
      if (r.bottom <= 0 || r.right <= 0 || r.top >= innerHeight || r.left >= innerWidth) continue;
      if (el.checkVisibility({ opacityProperty: true, visibilityProperty: true, contentVisibilityAuto: true })) return true;
    }
    return false;
  };
  const pending = new Map();
  let mo = null;
  const check = () => {
    for (const [name, selector] of pending) {
      if (!visible(selector)) continue;
      b.at[name] = performance.now();
      pending.delete(name);
    }
    if (!pending.size && mo) mo.disconnect(), (mo = null);
  };
  const tick = () => {
    check();
    if (pending.size) requestAnimationFrame(tick);
  };
  /** Records when `selector` first becomes visible, as at[name]. */
  b.watch = (name, selector) => {
    pending.set(name, selector);
    if (!mo) (mo = new MutationObserver(check)).observe(document, { childList: true, subtree: true, attributes: true });
    check();
    if (pending.size) requestAnimationFrame(tick);
  };
  // The first real click: its timeStamp is when the input arrived.
  addEventListener(
    "click",
    (e) => {
      if (!e.isTrusted || b.clickAt !== null) return;
      b.clickAt = e.timeStamp;
      b.watch("dialog", dialog);
    },
    true,
  );
  if (banner) b.watch("banner", banner);
}

const inWindow = (xs, from, until) => xs.filter(([s]) => s >= from && s <= until);

// ---------------------------------------------------------------- one visit

/** A fresh context and page with the CDP session, the tracker and the probe. */
async function open(browser, lib, { throttled = false, cookies = [], watchBanner = true } = {}) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  context.setDefaultTimeout(20_000);
  if (cookies.length) await context.addCookies(cookies);
  const tracker = await trackThirdParty(context);
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e && e.message)));
  const cdp = await context.newCDPSession(page);
  await cdp.send("Performance.enable");
  await cdp.send("Network.enable");
  const sent = []; // [url, type, timestamp(s)]
  cdp.on("Network.requestWillBeSent", (e) => sent.push([e.request.url, e.type, e.timestamp]));
  if (throttled) {
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 150,
      downloadThroughput: (1.6e6 / 8) | 0,
      uploadThroughput: (750e3 / 8) | 0,
    });
  }
  await page.addInitScript(probe, { banner: watchBanner ? lib.banner : null, dialog: lib.dialog });
  return { context, page, cdp, tracker, errors, sent };
}

const pageTime = (page, t) => page.waitForFunction((x) => performance.now() >= x, t, { polling: 100 });
const bench = (page) => page.evaluate(() => ({ at: window.__bench.at, clickAt: window.__bench.clickAt, longtasks: window.__bench.longtasks, shifts: window.__bench.shifts }));

/**
 * A first visit (no stored decision): the banner, its window of long tasks
 * and shifts, then a click on the banner's "preferences" button and the
 * dialog. `path` is the page (the plain or the pre-rendered one).
 */
async function visitFirst(browser, server, lib, { throttled = false, path = `/bench/${lib.id}.html` } = {}) {
  const v = await open(browser, lib, { throttled });
  try {
    const mark = server.served.length;
    await v.page.goto(server.url + path, { waitUntil: "commit" });
    await v.page.waitForFunction(() => window.__bench && window.__bench.at.banner !== undefined, null, { timeout: 20_000, polling: 50 });
    const out = { bannerMs: (await bench(v.page)).at.banner };
    const until = out.bannerMs + (throttled ? AFTER_BANNER_THROTTLED_MS : AFTER_BANNER_MS);
    await pageTime(v.page, until);
    if (!throttled) {
      const m = await v.cdp.send("Performance.getMetrics");
      out.scriptMs = 1000 * (m.metrics.find((x) => x.name === "ScriptDuration")?.value ?? NaN);
    }
    let b = await bench(v.page);
    out.longTasks = inWindow(b.longtasks, 0, until).length;
    out.cls = inWindow(b.shifts, 0, until).reduce((a, [, x]) => a + x, 0);
    out.leaked = v.tracker.urls(GATED); // third parties contacted before any decision
    out.banners = await v.page.evaluate((s) => [...document.querySelectorAll(s)].filter((el) => el.checkVisibility()).length, lib.banner);
    out.bytes = sentSince(server, lib, mark);

    await v.page.locator(lib.preferences).first().click();
    await v.page.waitForFunction(() => window.__bench.at.dialog !== undefined, null, { timeout: 20_000, polling: 50 });
    b = await bench(v.page);
    out.prefsMs = b.at.dialog - b.clickAt;
    await pageTime(v.page, b.at.dialog + AFTER_DIALOG_MS);
    b = await bench(v.page);
    out.prefsLongTasks = inWindow(b.longtasks, b.clickAt, b.at.dialog + AFTER_DIALOG_MS).length;
    out.prefsBytes = sentSince(server, lib, mark);
    out.errors = v.errors;
    return out;
  } finally {
    await v.context.close();
  }
}

/**
 * A returning visitor who accepted all: when the gated gtag.js is
 * requested, what was downloaded and what happened on the main thread until
 * load + 1 s, then the library's own call to open its preferences.
 */
async function visitReturning(browser, server, lib, cookies) {
  const v = await open(browser, lib, { cookies, watchBanner: false });
  try {
    const mark = server.served.length;
    const url = `${server.url}/bench/${lib.id}.html`;
    await v.page.goto(url, { waitUntil: "commit" });
    await waitFor(() => v.sent.some(([u]) => u.includes(GA_MATCH)), 15_000, `${lib.id}: returning visitor never requested gtag.js`);
    const doc = v.sent.find(([u, t]) => t === "Document" && u === url);
    const ga = v.sent.find(([u]) => u.includes(GA_MATCH));
    const out = { gaMs: (ga[2] - doc[2]) * 1000 };
    await v.page.waitForLoadState("load");
    const until = (await v.page.evaluate(() => performance.now())) + AFTER_RETURN_MS;
    await pageTime(v.page, until);
    let b = await bench(v.page);
    out.longTasks = inWindow(b.longtasks, 0, until).length;
    out.cls = inWindow(b.shifts, 0, until).reduce((a, [, x]) => a + x, 0);
    out.bannerShown = await v.page.evaluate((s) => [...document.querySelectorAll(s)].some((el) => el.checkVisibility({ opacityProperty: true, visibilityProperty: true })), lib.banner);
    out.bytes = sentSince(server, lib, mark);

    await v.page.evaluate(
      ([dialog, call]) => {
        const b = window.__bench;
        b.clickAt = performance.now();
        b.watch("dialog", dialog);
        // The library's documented call, as a page script would make it.
        Promise.resolve((0, eval)(call)).catch((e) => (b.callError = String(e && e.message)));
      },
      [lib.dialog, lib.openPreferences],
    );
    await v.page.waitForFunction(() => window.__bench.at.dialog !== undefined || window.__bench.callError, null, { timeout: 20_000, polling: 50 });
    b = await v.page.evaluate(() => ({ ...window.__bench }));
    if (b.callError) throw new Error(`${lib.id}: ${lib.openPreferences} failed: ${b.callError}`);
    out.prefsMs = b.at.dialog - b.clickAt;
    out.prefsBytes = sentSince(server, lib, mark);
    out.errors = v.errors;
    return out;
  } finally {
    await v.context.close();
  }
}

/** Warm-up: checks gating, clicks accept, keeps the library's cookies. */
async function visitWarmup(browser, server, lib) {
  const v = await open(browser, lib);
  try {
    const mark = server.served.length;
    await v.page.goto(`${server.url}/bench/${lib.id}.html`, { waitUntil: "commit" });
    await v.page.waitForFunction(() => window.__bench && window.__bench.at.banner !== undefined, null, { timeout: 20_000, polling: 50 });
    const bannerMs = (await bench(v.page)).at.banner;
    // Not measured: give every library time to finish starting up
    // (tarteaucitron shows its banner before its services file has arrived)
    // before clicking.
    await v.page.waitForLoadState("load");
    await new Promise((r) => setTimeout(r, 1000));
    const before = v.tracker.urls(GATED);
    await v.page.locator(lib.accept).first().click();
    await waitFor(() => v.tracker.count(GA_MATCH) > 0, 10_000, `${lib.id}: accepting all did not load gtag.js`);
    await new Promise((r) => setTimeout(r, 300)); // let the library finish writing its cookie
    const all = await v.context.cookies();
    return {
      bannerMs,
      before,
      cookies: all.filter((c) => c.domain === "127.0.0.1" || c.domain === ".127.0.0.1"),
      files: sentSince(server, lib, mark).files,
      errors: v.errors,
    };
  } finally {
    await v.context.close();
  }
}

async function waitFor(pred, ms, what) {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(what);
    await new Promise((r) => setTimeout(r, 10));
  }
}

// ---------------------------------------------------------------- statistics and report

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
const stat = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs), sum: xs.reduce((a, x) => a + x, 0), runsWith: xs.filter((x) => x > 0).length, n: xs.length });

const kib = (v) => (v / 1024).toFixed(1);
const ms = (v) => v.toFixed(0);

/**
 * The table's rows. `key`: the sample; `vs`: the peers' sample it is
 * compared with (pre-rendered against their ordinary first visit, as no
 * peer offers server-rendered markup); `kind`: "bytes" (KiB, exact per
 * visit), "ms" (median and range, bootstrap interval), "tasks" and "cls"
 * (absolute, target 0); `target`: issue 15's goal, as a ratio to the best
 * peer (`ratio`) or an absolute ceiling (`max`, in the sample's unit).
 */
export const METRICS = [
  { key: "bytesBrotli", label: "first visit: bytes, brotli KiB", kind: "bytes", target: { max: 30 * 1024 } },
  { key: "bytesGzip", label: "first visit: bytes, gzip KiB", kind: "bytes" },
  { key: "prefsBytes", label: "first visit + Preferences: bytes, brotli KiB", kind: "bytes" },
  { key: "preBytes", label: "pre-rendered, until Preferences: bytes, brotli KiB", kind: "bytes", vs: "bytesBrotli", pre: true, target: { ratio: 1.0 } },
  { key: "prePrefsBytes", label: "pre-rendered + Preferences: bytes, brotli KiB", kind: "bytes", vs: "prefsBytes", pre: true },
  { key: "retBytes", label: "returning visitor: bytes, brotli KiB", kind: "bytes", vs: "bytesBrotli", target: { ratio: 1.0 } },
  { key: "retPrefsBytes", label: "returning + Preferences: bytes, brotli KiB", kind: "bytes" },
  { key: "bannerMs", label: "first visit: banner ms", kind: "ms", target: { ratio: 1.0 } },
  { key: "throttledMs", label: "first visit: banner ms (CPU x4, 150 ms RTT, 1.6 Mbps)", kind: "ms", target: { ratio: 1.0 } },
  { key: "preMs", label: "pre-rendered: banner ms", kind: "ms", vs: "bannerMs", pre: true, target: { ratio: 0.8 } },
  { key: "preThrottledMs", label: "pre-rendered: banner ms (throttled)", kind: "ms", vs: "throttledMs", pre: true, target: { ratio: 0.8 } },
  { key: "prefsMs", label: "first Preferences: dialog visible after the click, ms", kind: "ms", target: { max: 100 } },
  { key: "throttledPrefsMs", label: "first Preferences, throttled: dialog ms after the click", kind: "ms", target: { max: 300 } },
  { key: "prePrefsMs", label: "pre-rendered, first Preferences: dialog ms after the click", kind: "ms", vs: "prefsMs", pre: true, target: { max: 100 } },
  { key: "preThrottledPrefsMs", label: "pre-rendered, first Preferences, throttled: dialog ms", kind: "ms", vs: "throttledPrefsMs", pre: true, target: { max: 300 } },
  { key: "gaMs", label: "returning: gtag.js request ms", kind: "ms", target: { ratio: 0.9 } },
  { key: "retPrefsMs", label: "returning: Preferences by the API, dialog ms", kind: "ms", target: { max: 100 } },
  { key: "scriptMs", label: "first visit: script ms", kind: "ms" },
  { key: "longTasks", label: "long tasks: first visit (runs with one)", kind: "tasks" },
  { key: "preLongTasks", label: "long tasks: pre-rendered (runs with one)", kind: "tasks", pre: true },
  { key: "retLongTasks", label: "long tasks: returning (runs with one)", kind: "tasks" },
  { key: "prefsLongTasks", label: "long tasks: Preferences click to dialog + 0.5 s (runs with one)", kind: "tasks" },
  { key: "cls", label: "CLS: first visit, median (max)", kind: "cls" },
  { key: "preCls", label: "CLS: pre-rendered, median (max)", kind: "cls", pre: true },
  { key: "retCls", label: "CLS: returning, median (max)", kind: "cls" },
];

/** Why a library has no figure for a pre-rendered row. */
export const NO_RENDERER = "n/a (no renderer in this build)";
export const NOT_OFFERED = "not offered¹";

function fmtCell(m, s) {
  if (!s || !s.n) return "–";
  switch (m.kind) {
    case "bytes":
      return s.min === s.max ? kib(s.median) : `${kib(s.median)} (${kib(s.min)}–${kib(s.max)})`;
    case "tasks":
      return `${s.sum} (${s.runsWith} of ${s.n})`;
    case "cls":
      return `${s.median.toFixed(3)} (${s.max.toFixed(3)})`;
    default:
      return s.min === s.max ? ms(s.median) : `${ms(s.median)} (${ms(s.min)}–${ms(s.max)})`;
  }
}

/** A library's cell for one row: its figure, or why it has none. */
function cellFor(m, lib, stats, na) {
  if (m.pre && !lib.prerender) return NOT_OFFERED;
  if (m.pre && na) return na;
  return fmtCell(m, stats[lib.id][m.key]);
}

/**
 * A 95% bootstrap interval for median(ours) / median(theirs): both sample
 * sets are redrawn with replacement 2000 times. The generator is seeded, so
 * the same samples always give the same interval. With timings this noisy, a
 * ratio only says "slower" or "faster" when its whole interval is on one
 * side of 1.
 */
export function ratioInterval(ours, theirs, draws = 2000) {
  let seed = 0x9e3779b9;
  const next = () => {
    // xorshift32
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 4294967296;
  };
  const redraw = (xs) => median(xs.map(() => xs[Math.floor(next() * xs.length)]));
  const ratios = [];
  for (let i = 0; i < draws; i++) ratios.push(redraw(ours) / redraw(theirs));
  ratios.sort((a, b) => a - b);
  return [ratios[Math.floor(draws * 0.025)], ratios[Math.ceil(draws * 0.975) - 1]];
}

/** What a ratio and its interval say against a target of at most 1. */
function verdict([lo, hi]) {
  if (hi < 1) return "faster";
  if (lo > 1) return "slower";
  return "within noise of 1";
}

/**
 * Whether consentry meets a row's issue-15 target, and the target in words.
 * A ratio target with an interval is met only when the whole interval is
 * under it; a median under it alone is said as such.
 */
function targetCheck(m, ours, ratio, best, ci = null) {
  if (!m.target) return ["", ""];
  const unit = m.kind === "bytes" ? (v) => `${kib(v)} KiB` : (v) => `${v} ms`;
  if (m.target.max !== undefined) {
    const words = `≤ ${unit(m.target.max)}`;
    if (!Number.isFinite(ours)) return [words, "–"];
    const over = ours - m.target.max;
    return [words, over <= 0 ? "met" : `missed by ${m.kind === "bytes" ? kib(over) + " KiB" : ms(over) + " ms"}`];
  }
  const words = `≤ ${m.target.ratio.toFixed(1)}x ${best ?? "best peer"}`;
  if (!Number.isFinite(ratio)) return [words, "–"];
  if (ratio > m.target.ratio) return [words, `missed (${ratio.toFixed(2)}x)`];
  return [words, !ci || ci[1] <= m.target.ratio ? "met" : `met by the median only (interval up to ${ci[1].toFixed(2)}x)`];
}

/**
 * The two markdown tables: medians of every library, and consentry against
 * the best peer per row (with issue 15's targets).
 * @param {string | null} na why the pre-rendered rows have no consentry figures, or null
 */
export function mdTable(libs, stats, samples = {}, na = null) {
  const head = ["", ...libs.map((l) => `${l.id} ${l.version}`)];
  const rows = METRICS.map((m) => [m.label, ...libs.map((l) => cellFor(m, l, stats, na))]);
  const us = libs.find((l) => l.id === "consentry");
  const peers = libs.filter((l) => l.id !== "consentry");
  const ratios = [];
  if (us && peers.length) {
    for (const m of METRICS) {
      const cell = cellFor(m, us, stats, na);
      if (m.kind === "tasks" || m.kind === "cls") {
        ratios.push([m.label, `${cell} (absolute)`, "none, 0", !stats.consentry[m.key]?.n ? "–" : m.kind === "tasks" ? (stats.consentry[m.key].sum === 0 ? "met" : "missed") : stats.consentry[m.key].max === 0 ? "met" : "missed"]);
        continue;
      }
      const vs = m.vs ?? m.key;
      const withData = peers.filter((l) => stats[l.id][vs]?.n);
      const ours = stats.consentry[m.key];
      if (!ours?.n || !withData.length) {
        const [t] = targetCheck(m, NaN, NaN, null);
        ratios.push([m.label, m.pre && na ? na : "–", t, "–"]);
        continue;
      }
      const best = withData.reduce((a, l) => (stats[l.id][vs].median < stats[a.id][vs].median ? l : a));
      const theirs = stats[best.id][vs].median;
      const ratio = ours.median / theirs;
      const fmt = m.kind === "bytes" ? kib : ms;
      let line = `${ratio.toFixed(2)}x of ${best.id}${vs !== m.key ? " (its ordinary first visit)" : ""} (${fmt(ours.median)} vs ${fmt(theirs)})`;
      const [a, b] = [samples.consentry?.[m.key], samples[best.id]?.[vs]];
      let ci = null;
      if (m.kind === "ms" && a?.length >= 5 && b?.length >= 5) {
        ci = ratioInterval(a, b);
        line += `; 95% interval ${ci[0].toFixed(2)}–${ci[1].toFixed(2)}, ${verdict(ci)}`;
      }
      const [t, met] = targetCheck(m, ours.median, ratio, best.id, ci);
      ratios.push([m.label, line, t, met]);
    }
  }
  const md = (r) => `| ${r.join(" | ")} |`;
  const table = [md(head), md(head.map((_, i) => (i === 0 ? "---" : "---:"))), ...rows.map(md)].join("\n");
  const ratioTable = ratios.length
    ? ["| metric | consentry vs best peer (medians) | issue 15 target | |", "| --- | --- | --- | --- |", ...ratios.map(md)].join("\n")
    : "";
  return { table, ratioTable };
}

// ---------------------------------------------------------------- main

const fmtLoad = (xs) => `${median(xs).toFixed(1)} median (${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)})`;

const SAMPLE_KEYS = METRICS.map((m) => m.key).filter((k) => k !== "bytesGzip").concat(["bytesGzip"]);

async function main() {
  const { runs, libs: chosen, write } = args();
  const t0 = Date.now();
  // Serve and weigh a snapshot of dist/, so a rebuild during the bench cannot
  // mix two builds into one table.
  const snapshot = mkdtempSync(join(os.tmpdir(), "consentry-bench-"));
  const libs = chosen.map((l) => {
    if (l.id !== "consentry") return l;
    if (!existsSync(join(l.dir, "consentry.js"))) throw new Error("dist/consentry.js is missing: run `node scripts/build.mjs` first");
    cpSync(l.dir, snapshot, { recursive: true, preserveTimestamps: true });
    return { ...l, dir: snapshot };
  });
  process.on("exit", () => rmSync(snapshot, { recursive: true, force: true }));
  const commit = (() => {
    try {
      return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
    } catch {
      return "unknown";
    }
  })();
  const uptime = (() => {
    try {
      return execFileSync("uptime", { encoding: "utf8" }).trim();
    } catch {
      return `load average ${os.loadavg().map((x) => x.toFixed(2)).join(", ")}`;
    }
  })();
  const built = existsSync(join(snapshot, "consentry.js")) ? statSync(join(snapshot, "consentry.js")).mtime.toISOString().replace(/\.\d+Z$/, "Z") : "n/a";

  // The pre-rendered page, from the build's own renderer if it has one.
  const pages = new Map(libs.map((l) => [`/bench/${l.id}.html`, Buffer.from(page(l))]));
  let renderer = null;
  let na = NO_RENDERER;
  if (libs.some((l) => l.id === "consentry")) {
    renderer = await findRenderer(snapshot);
    if (renderer) {
      try {
        const markup = await renderer.render(CONSENTRY_CONFIG, "en");
        if (typeof markup !== "string" || !markup.trim()) throw new Error(`it returned ${JSON.stringify(markup)}`);
        const ours = libs.find((l) => l.id === "consentry");
        pages.set("/bench/consentry-prerendered.html", Buffer.from(page(ours, { firstLayer: markup.trim(), css: `${ours.mount}consentry.css` })));
        na = null;
        console.log(`bench: first layer pre-rendered by ${renderer.how} (${markup.length} characters)`);
      } catch (e) {
        na = "n/a (the renderer failed)";
        console.warn(`bench: ${renderer.how} failed: ${e.message}; the pre-rendered variant is n/a`);
        renderer = null;
      }
    } else {
      console.log("bench: no Node renderer of the first layer in dist/ (renderBanner) or the package's bin: the pre-rendered variant is n/a");
    }
  }

  const server = await startServer(libs, pages);
  const browser = await launch();
  const chromium = browser.version();
  console.log(`bench: Chromium ${chromium}, ${runs} runs x ${libs.length} libraries, server ${server.url}`);
  const samples = Object.fromEntries(libs.map((l) => [l.id, Object.fromEntries(SAMPLE_KEYS.map((k) => [k, []]))]));
  const files = Object.fromEntries(libs.map((l) => [l.id, {}])); // variant -> Set of files
  const meta = {};
  const load = [os.loadavg()[0]]; // 1-minute load average, at the start and after every run
  const note = (lib, variant, list) => list.forEach((f) => (files[lib.id][variant] ??= new Set()).add(f));
  const report = (lib, errors) => {
    for (const e of errors) if (!meta[lib.id].errors?.has(e)) (meta[lib.id].errors ??= new Set()).add(e), console.warn(`bench: ${lib.id} page error: ${e}`);
  };
  try {
    // Warm-up: one visit per library that also proves its gating works and
    // yields its own "accepted all" cookie for the returning-visitor runs.
    for (const lib of libs) {
      const w = await visitWarmup(browser, server, lib);
      if (w.before.length) throw new Error(`${lib.id}: third parties contacted before consent: ${w.before.join(", ")}`);
      if (!w.cookies.length) throw new Error(`${lib.id}: accepting all left no first-party cookie`);
      if (w.errors.length) console.warn(`bench: ${lib.id} page errors: ${w.errors.join("; ")}`);
      meta[lib.id] = { cookies: w.cookies };
      const shown = w.files.map((f) => f.slice(lib.dir.length + 1)).join(", ");
      console.log(`bench: warm-up ${lib.id}: banner ${w.bannerMs.toFixed(0)} ms, consent cookie ${w.cookies.map((c) => c.name).join(", ")}, files ${shown}`);
    }

    for (let i = 0; i < runs; i++) {
      // Round robin, starting one library further each run.
      const order = libs.map((_, j) => libs[(i + j) % libs.length]);
      for (const lib of order) {
        const s = samples[lib.id];
        const p = await visitFirst(browser, server, lib);
        if (p.leaked.length) throw new Error(`${lib.id}: third parties contacted before consent: ${p.leaked.join(", ")}`);
        report(lib, p.errors);
        note(lib, "first visit", p.bytes.files);
        note(lib, "first visit + Preferences", p.prefsBytes.files);
        s.bannerMs.push(p.bannerMs);
        s.scriptMs.push(p.scriptMs);
        s.longTasks.push(p.longTasks);
        s.cls.push(p.cls);
        s.bytesBrotli.push(p.bytes.brotli);
        s.bytesGzip.push(p.bytes.gzip);
        s.prefsMs.push(p.prefsMs);
        s.prefsLongTasks.push(p.prefsLongTasks);
        s.prefsBytes.push(p.prefsBytes.brotli);

        const t = await visitFirst(browser, server, lib, { throttled: true });
        report(lib, t.errors);
        s.throttledMs.push(t.bannerMs);
        s.throttledPrefsMs.push(t.prefsMs);

        if (lib.prerender && renderer) {
          const path = `/bench/${lib.id}-prerendered.html`;
          const q = await visitFirst(browser, server, lib, { path });
          if (q.leaked.length) throw new Error(`${lib.id} pre-rendered: third parties contacted before consent: ${q.leaked.join(", ")}`);
          if (q.banners !== 1) console.warn(`bench: ${lib.id} pre-rendered: ${q.banners} visible banners (the gate should adopt the rendered one)`);
          report(lib, q.errors);
          note(lib, "pre-rendered", q.bytes.files);
          note(lib, "pre-rendered + Preferences", q.prefsBytes.files);
          s.preMs.push(q.bannerMs);
          s.preLongTasks.push(q.longTasks);
          s.preCls.push(q.cls);
          s.preBytes.push(q.bytes.brotli);
          s.prePrefsMs.push(q.prefsMs);
          s.prePrefsBytes.push(q.prefsBytes.brotli);
          const qt = await visitFirst(browser, server, lib, { path, throttled: true });
          report(lib, qt.errors);
          s.preThrottledMs.push(qt.bannerMs);
          s.preThrottledPrefsMs.push(qt.prefsMs);
        }

        const r = await visitReturning(browser, server, lib, meta[lib.id].cookies);
        if (r.bannerShown) console.warn(`bench: ${lib.id}: returning visitor still saw the banner`);
        report(lib, r.errors);
        note(lib, "returning", r.bytes.files);
        note(lib, "returning + Preferences", r.prefsBytes.files);
        s.gaMs.push(r.gaMs);
        s.retLongTasks.push(r.longTasks);
        s.retCls.push(r.cls);
        s.retBytes.push(r.bytes.brotli);
        s.retPrefsMs.push(r.prefsMs);
        s.retPrefsBytes.push(r.prefsBytes.brotli);
      }
      load.push(os.loadavg()[0]);
      console.log(`bench: run ${i + 1}/${runs} done (${((Date.now() - t0) / 1000).toFixed(0)} s, load ${load.at(-1).toFixed(1)})`);
    }
  } finally {
    await browser.close();
    await server.close();
  }

  const stats = {};
  const shown = (f) => (f.startsWith(snapshot) ? "dist" + f.slice(snapshot.length) : f.slice(ROOT.length + 1));
  const fileLists = {};
  for (const lib of libs) {
    stats[lib.id] = {};
    for (const [k, xs] of Object.entries(samples[lib.id])) stats[lib.id][k] = xs.length ? stat(xs) : { n: 0 };
    fileLists[lib.id] = Object.fromEntries(
      Object.entries(files[lib.id]).map(([variant, set]) => [variant, libBytes([...set].sort()).files.map((f) => ({ ...f, file: shown(f.file) }))]),
    );
  }

  const { table, ratioTable } = mdTable(libs, stats, samples, na);
  const date = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const cpu = os.cpus();
  const secs = ((Date.now() - t0) / 1000).toFixed(0);
  console.log("\n" + table + "\n\n" + ratioTable + "\n");
  console.log(`bench: ${secs} s`);
  if (!write) return;

  const fileList = libs
    .map((l) => {
      const per = Object.entries(fileLists[l.id]).map(([variant, fs]) => `  - ${variant}: ${fs.map((f) => `\`${f.file}\` (${f.gzip} / ${f.brotli} B)`).join(", ")}`);
      return [`- ${l.id}:`, ...per].join("\n");
    })
    .join("\n");
  const prerendered = renderer ? `rendered by ${renderer.how} for this config and \`en\`` : na.replace(/^n\/a \((.*)\)$/, "$1");
  const md = `# Benchmark: consentry and its peers, side by side

Generated by \`npm run bench\` (\`node bench/run.mjs --runs ${runs}\`); do not edit by hand.

- Date: ${date}
- Chromium ${chromium} (Debian \`/usr/bin/chromium\`, headless, via playwright-core), Node ${process.version}
- Machine: ${cpu.length} x ${cpu[0]?.model ?? "?"}, ${os.platform()} ${os.release()}; 1-minute load average during the bench ${fmtLoad(load)};
  \`uptime\` at the start: \`${uptime}\`.
  Timings are noisy here (other work shares the CPUs), so read ranges and the
  side-by-side ratios, not single figures; bytes are exact
- Libraries: ${libs.map((l) => `${l.name} ${l.version}`).join(", ")}; consentry's dist/ built ${built}, worktree at commit ${commit}
- First layer pre-rendered: ${prerendered}
- Runs: ${runs} per library and variant, round robin, a fresh browser context for every visit; the bench took ${secs} s

## Medians (min–max)

${table}

¹ Server-rendered markup of the first layer is not something
vanilla-cookieconsent, Klaro, Orejime or tarteaucitron offer: each builds its
banner in the browser. Their ordinary first visit (the rows above) is what
consentry's pre-rendered figures are compared with.

## consentry against the best peer

${ratioTable}

Ratios below 1.00 mean consentry is smaller or faster than every peer. Each
timing ratio comes with a 95% bootstrap interval (its runs and the best
peer's redrawn 2000 times, seeded): "slower" or "faster" only when the whole
interval is on one side of 1, else "within noise of 1". A ratio target is
"met" when the whole interval is under it; "met by the median only" when
just the medians are.

## What the columns mean

- **bytes**: gzip -9 and brotli quality 11 of every file the bench server
  sent from the library's own folder during the visit (JS, CSS, wasm, and any
  part loaded on demand), summed per visit; computed with node's zlib, so
  deterministic. "+ Preferences" counts the whole visit up to the open
  dialog. Files per variant (gzip / brotli bytes):
${fileList}
- **banner ms**: from navigation start to the library's banner being in the
  DOM, laid out inside the viewport and visible (\`checkVisibility\` with
  opacity and visibility), seen by a MutationObserver + requestAnimationFrame
  probe added with \`addInitScript\`. The page, the libraries and the stand-ins
  are served from 127.0.0.1 with brotli/gzip as a CDN would.
- **throttled**: the same with CDP \`Emulation.setCPUThrottlingRate\` 4 and
  \`Network.emulateNetworkConditions\` 150 ms latency, 1.6 Mbps down,
  750 kbps up (third-party stand-ins are answered by the test runner and skip
  the network throttle; the page and the library do not).
- **pre-rendered**: consentry's first visit with its first layer's markup,
  made by the build's own renderer, first in \`<body>\`; the gate adopts it.
- **first Preferences**: 2 s after the banner (1 s throttled), a click on the
  banner's own "preferences" button; from the click event's \`timeStamp\` to
  the preferences dialog being visible (same probe).
- **returning**: a visitor who accepted everything before (the library's own
  cookie, taken from \`context.cookies()\` after clicking its accept button in a
  warm-up run) opens the page; time from the document request to the request
  for the gated \`gtag.js\`, both CDP \`Network.requestWillBeSent\` timestamps.
  Then, 1 s after load, the library's documented call opens its preferences
  (consentry \`Consentry.showPreferences()\`, vanilla-cookieconsent
  \`CookieConsent.showPreferences()\`, Klaro \`klaro.show()\`, Orejime
  \`orejime.prompt()\`, tarteaucitron \`tarteaucitron.userInterface.openPanel()\`).
- **script ms**: CDP \`Performance.getMetrics\` ScriptDuration from page start
  to 2 s after the banner (everything that ran on the page; the page's own
  script is the same tiny one for all).
- **long tasks**: \`longtask\` PerformanceObserver entries (main-thread tasks
  over 50 ms), summed over the runs, and in how many runs there was at least
  one: until 2 s after the banner, for a returning visitor until 1 s after
  load, and from the Preferences click to 0.5 s after the dialog. Not counted
  under the 4x CPU throttle, where every library has them.
- **CLS**: sum of \`layout-shift\` values without recent input in the same
  windows.

Same page for all (\`bench/page.mjs\`): the Google Analytics snippet, the Meta
pixel, a YouTube embed and a first-party preferences script, with each
library's own documented gated markup and the same three categories
(necessary, analytics, marketing) set up from its own docs (\`bench/libs.mjs\`).
Every third-party request is answered locally by \`context.route\`; the warm-up
checks that no gated third party is contacted before consent and that
accepting all loads \`gtag.js\`.
`;
  writeFileSync(join(ROOT, "bench", "RESULTS.md"), md);
  const plain = (o) => JSON.parse(JSON.stringify(o));
  writeFileSync(
    join(ROOT, "bench", "results.json"),
    JSON.stringify(
      { date, chromium, node: process.version, machine: `${cpu.length} x ${cpu[0]?.model ?? "?"}`, uptime, load, runs, prerendered: renderer ? renderer.how : na, libraries: libs.map((l) => ({ id: l.id, version: l.version })), files: fileLists, stats: plain(stats), samples },
      null,
      1,
    ) + "\n",
  );
  console.log("bench: wrote bench/RESULTS.md and bench/results.json");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e) => {
    console.error(`bench: ${e && e.stack ? e.stack : e}`);
    process.exit(1);
  });
}
