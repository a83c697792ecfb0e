#!/usr/bin/env node
// `npm run bench`: consentry against four peer consent managers on the same
// page, side by side. Writes bench/RESULTS.md (and the raw samples to
// bench/results.json) and prints the table.
//
//   node bench/run.mjs                 # 15 runs per library (about 8 minutes)
//   node bench/run.mjs --runs 3        # quicker look
//   node bench/run.mjs --only consentry,orejime
//   node bench/run.mjs --no-write      # print only
//
// Needs dist/ (`node scripts/build.mjs`) and the peers from devDependencies.
// Every third-party request is answered locally (tests/e2e/harness.mjs); the
// page and the libraries come from 127.0.0.1, compressed the way a CDN would
// send them (brotli if the browser asks for it, else gzip).
//
// What is measured, per run, each in a fresh browser context:
//   bytes       gzip -9 and brotli q11 of exactly the files the page loaded
//               from the library's folder (JS, CSS, wasm), computed with zlib
//   banner      performance.now() when the library's banner element is in the
//               DOM, has a box in the viewport and passes checkVisibility()
//               (opacity and visibility included), polled by a
//               MutationObserver and requestAnimationFrame from an init script
//   throttled   the same with CDP CPU throttling x4 and 150 ms latency,
//               1.6 Mbps down / 750 kbps up
//   script      CDP Performance.getMetrics ScriptDuration, page start to
//               2 s after the banner (the page's own scripts are the same
//               for every library)
//   long tasks  PerformanceObserver "longtask" entries starting before
//               banner + 2 s
//   CLS         sum of layout-shift values (no recent input) until then; the
//               page has no other late content, so shifts are the library's
//   returning   a visitor holding the library's own "accepted all" cookie,
//               obtained by clicking its accept button in a warm-up run:
//               CDP Network.requestWillBeSent timestamp of the first request
//               for the gated gtag.js minus that of the document request

import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { extname, join } from "node:path";
import { execFileSync } from "node:child_process";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants as zc, gzipSync } from "node:zlib";
import { serve, MIME } from "../scripts/serve.mjs";
import { launch, trackThirdParty } from "../tests/e2e/harness.mjs";
import { LIBS } from "./libs.mjs";
import { PREFS_JS, page } from "./page.mjs";

const ROOT = join(import.meta.dirname, "..");
const GA_MATCH = "googletagmanager.com/gtag/js";
const GATED = /googletagmanager\.com|google-analytics\.com|facebook\.(com|net)|youtube(-nocookie)?\.com/;
const VIEWPORT = { width: 1280, height: 800 };
const AFTER_BANNER_MS = 2000;

// ---------------------------------------------------------------- arguments

function args(argv = process.argv.slice(2)) {
  const get = (name) => {
    const i = argv.findIndex((a) => a === name || a.startsWith(name + "="));
    if (i < 0) return undefined;
    return argv[i].includes("=") ? argv[i].split("=")[1] : argv[i + 1];
  };
  const runs = Number(get("--runs") ?? 15);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs wants a positive integer, got ${get("--runs")}`);
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

/** Raw, gzip -9 and brotli q11 bytes of each file, and their sum. */
export function libBytes(files) {
  const each = files.map((file) => {
    const buf = readFileSync(file);
    return { file, raw: buf.length, gzip: gzip(buf).length, brotli: brotli(buf).length };
  });
  const sum = (k) => each.reduce((a, f) => a + f[k], 0);
  return { files: each, raw: sum("raw"), gzip: sum("gzip"), brotli: sum("brotli") };
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

function startServer(libs) {
  const pages = new Map(libs.map((l) => [`/bench/${l.id}.html`, Buffer.from(page(l))]));
  const ours = libs.find((l) => l.id === "consentry");
  return serve({
    port: 0,
    host: "127.0.0.1",
    ...(ours ? { dist: ours.dir } : {}),
    mounts: libs.filter((l) => l.mount !== "/assets/consentry/").map((l) => [l.mount, l.dir]),
    onRequest(req, res, { pathname, file }) {
      if (pages.has(pathname)) return send(req, res, pages.get(pathname), MIME[".html"], pathname), true;
      if (pathname === "/bench/prefs.js") return send(req, res, Buffer.from(PREFS_JS), MIME[".js"], pathname), true;
      if (!file || req.method !== "GET" || !COMPRESSIBLE.has(extname(file))) return false;
      const key = `${file}|${statSync(file).mtimeMs}`;
      send(req, res, readFileSync(file), MIME[extname(file)] ?? "application/octet-stream", key);
      return true;
    },
  });
}

// ---------------------------------------------------------------- in-page probe

/** Runs in the page before any of its scripts (top frame only). */
function probe(selector) {
  if (window !== window.top) return;
  const b = (window.__bench = { bannerAt: null, longtasks: [], cls: 0, shifts: [] });
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) b.longtasks.push([e.startTime, e.duration]);
    }).observe({ type: "longtask", buffered: true });
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if (e.hadRecentInput) continue;
        b.cls += e.value;
        b.shifts.push([e.startTime, e.value]);
      }
    }).observe({ type: "layout-shift", buffered: true });
  } catch {}
  const visible = () => {
    const el = document.querySelector(selector);
    if (!el) return false;
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) return false;
    if (r.bottom <= 0 || r.right <= 0 || r.top >= innerHeight || r.left >= innerWidth) return false;
    return el.checkVisibility({ opacityProperty: true, visibilityProperty: true, contentVisibilityAuto: true });
  };
  const check = () => {
    if (b.bannerAt !== null || !visible()) return;
    b.bannerAt = performance.now();
    mo.disconnect();
  };
  const mo = new MutationObserver(check);
  mo.observe(document, { childList: true, subtree: true, attributes: true });
  const tick = () => {
    check();
    if (b.bannerAt === null) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

// ---------------------------------------------------------------- one visit

/**
 * One page load in a fresh context.
 * @param {"plain" | "throttled" | "returning" | "warmup"} mode
 */
async function visit(browser, server, lib, mode, cookies = []) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  context.setDefaultTimeout(20_000);
  try {
    if (cookies.length) await context.addCookies(cookies);
    const tracker = await trackThirdParty(context);
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e && e.message)));
    const loaded = new Set();
    page.on("requestfinished", (r) => {
      const u = new URL(r.url());
      if (u.origin === server.url && u.pathname.startsWith(lib.mount)) loaded.add(u.pathname);
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send("Performance.enable");
    await cdp.send("Network.enable");
    const sent = []; // [url, type, timestamp(s)]
    cdp.on("Network.requestWillBeSent", (e) => sent.push([e.request.url, e.type, e.timestamp]));
    if (mode === "throttled") {
      await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
      await cdp.send("Network.emulateNetworkConditions", {
        offline: false,
        latency: 150,
        downloadThroughput: (1.6e6 / 8) | 0,
        uploadThroughput: (750e3 / 8) | 0,
      });
    }
    if (mode !== "returning") await page.addInitScript(probe, lib.banner);

    const url = `${server.url}/bench/${lib.id}.html`;
    const out = { mode };
    if (mode === "returning") {
      await page.goto(url, { waitUntil: "commit" });
      await waitFor(() => sent.some(([u]) => u.includes(GA_MATCH)), 15_000, `${lib.id}: returning visitor never requested gtag.js`);
      const doc = sent.find(([u, t]) => t === "Document" && u === url);
      const ga = sent.find(([u]) => u.includes(GA_MATCH));
      out.gaMs = (ga[2] - doc[2]) * 1000;
      out.bannerShown = await page
        .evaluate((s) => [...document.querySelectorAll(s)].some((el) => el.checkVisibility({ opacityProperty: true, visibilityProperty: true })), lib.banner)
        .catch(() => null);
      return out;
    }

    await page.goto(url, { waitUntil: "commit" });
    await page.waitForFunction(() => window.__bench && window.__bench.bannerAt !== null, null, { timeout: 20_000, polling: 50 });
    out.bannerMs = await page.evaluate(() => window.__bench.bannerAt);
    if (mode === "throttled") return out;

    if (mode === "plain") {
      await page.waitForFunction((t) => performance.now() >= t, out.bannerMs + AFTER_BANNER_MS, { polling: 100 });
      const m = await cdp.send("Performance.getMetrics");
      out.scriptMs = 1000 * (m.metrics.find((x) => x.name === "ScriptDuration")?.value ?? NaN);
      const b = await page.evaluate(() => window.__bench);
      const until = out.bannerMs + AFTER_BANNER_MS;
      out.longTasks = b.longtasks.filter(([s]) => s <= until).length;
      out.longTaskMs = b.longtasks.filter(([s]) => s <= until).reduce((a, [, d]) => a + d, 0);
      out.cls = b.shifts.filter(([s]) => s <= until).reduce((a, [, v]) => a + v, 0);
      out.leaked = tracker.urls(GATED); // third parties contacted before any decision
      out.files = [...loaded].sort();
      out.errors = errors;
      return out;
    }

    // warm-up: check gating, click accept, keep the library's cookies.
    // Not measured: give every library time to finish starting up (tarteaucitron
    // shows its banner before its services file has arrived) before clicking.
    await page.waitForLoadState("load");
    await new Promise((r) => setTimeout(r, 1000));
    const before = tracker.urls(GATED);
    await page.locator(lib.accept).first().click();
    await waitFor(() => tracker.count(GA_MATCH) > 0, 10_000, `${lib.id}: accepting all did not load gtag.js`);
    await new Promise((r) => setTimeout(r, 300)); // let the library finish writing its cookie
    const all = await context.cookies();
    out.before = before;
    out.cookies = all.filter((c) => c.domain === "127.0.0.1" || c.domain === ".127.0.0.1");
    out.files = [...loaded].sort();
    out.errors = errors;
    return out;
  } finally {
    await context.close();
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
const stat = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length });

const METRICS = [
  { key: "gzip", label: "gzip KiB", fmt: (v) => (v / 1024).toFixed(1), bytes: true },
  { key: "brotli", label: "brotli KiB", fmt: (v) => (v / 1024).toFixed(1), bytes: true },
  { key: "bannerMs", label: "banner ms", fmt: (v) => v.toFixed(0) },
  { key: "throttledMs", label: "banner ms (CPU x4, 150 ms RTT, 1.6 Mbps)", fmt: (v) => v.toFixed(0) },
  { key: "scriptMs", label: "script ms", fmt: (v) => v.toFixed(0) },
  { key: "longTasks", label: "long tasks", fmt: (v) => String(v), absolute: true },
  { key: "longTaskRuns", label: "runs with a long task", fmt: (v) => String(v), absolute: true, count: true },
  { key: "cls", label: "CLS", fmt: (v) => v.toFixed(3), absolute: true },
  { key: "gaMs", label: "returning: gtag.js request ms", fmt: (v) => v.toFixed(0) },
];

function cell(m, s) {
  if (m.count) return `${m.fmt(s.median)} of ${s.n}`;
  if (m.bytes) return m.fmt(s.median);
  if (s.min === s.max) return m.fmt(s.median);
  return `${m.fmt(s.median)} (${m.fmt(s.min)}–${m.fmt(s.max)})`;
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

function mdTable(libs, stats, samples = {}) {
  const head = ["", ...libs.map((l) => `${l.id} ${l.version}`)];
  const rows = METRICS.map((m) => [m.label, ...libs.map((l) => cell(m, stats[l.id][m.key]))]);
  const us = libs.find((l) => l.id === "consentry");
  const peers = libs.filter((l) => l.id !== "consentry");
  const ratios = [];
  if (us && peers.length) {
    for (const m of METRICS) {
      const ours = stats.consentry[m.key].median;
      if (m.absolute) {
        ratios.push([m.label, `${cell(m, stats.consentry[m.key])} (absolute; target 0)`]);
        continue;
      }
      const best = peers.reduce((a, l) => (stats[l.id][m.key].median < stats[a.id][m.key].median ? l : a));
      const theirs = stats[best.id][m.key].median;
      let line = `${(ours / theirs).toFixed(2)}x of ${best.id} (${m.fmt(ours)} vs ${m.fmt(theirs)})`;
      const [a, b] = [samples.consentry?.[m.key], samples[best.id]?.[m.key]];
      if (!m.bytes && a?.length >= 5 && b?.length >= 5) {
        const ci = ratioInterval(a, b);
        line += `; 95% interval ${ci[0].toFixed(2)}–${ci[1].toFixed(2)}, ${verdict(ci)}`;
      }
      ratios.push([m.label, line]);
    }
  }
  const md = (r) => `| ${r.join(" | ")} |`;
  const table = [md(head), md(head.map((_, i) => (i === 0 ? "---" : "---:"))), ...rows.map(md)].join("\n");
  const ratioTable = ratios.length
    ? ["| metric | consentry vs best peer (medians) |", "| --- | --- |", ...ratios.map(md)].join("\n")
    : "";
  return { table, ratioTable };
}

// ---------------------------------------------------------------- main

const fmtLoad = (xs) => `${median(xs).toFixed(1)} median (${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)})`;

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
  const built = existsSync(join(snapshot, "consentry.js")) ? statSync(join(snapshot, "consentry.js")).mtime.toISOString().replace(/\.\d+Z$/, "Z") : "n/a";
  const server = await startServer(libs);
  const browser = await launch();
  const chromium = browser.version();
  console.log(`bench: Chromium ${chromium}, ${runs} runs x ${libs.length} libraries, server ${server.url}`);
  const samples = Object.fromEntries(libs.map((l) => [l.id, { bannerMs: [], throttledMs: [], scriptMs: [], longTasks: [], longTaskMs: [], cls: [], gaMs: [] }]));
  const meta = {};
  const load = [os.loadavg()[0]]; // 1-minute load average, at the start and after every run
  try {
    // Warm-up: one visit per library that also proves its gating works and
    // yields its own "accepted all" cookie for the returning-visitor runs.
    for (const lib of libs) {
      const w = await visit(browser, server, lib, "warmup");
      if (w.before.length) throw new Error(`${lib.id}: third parties contacted before consent: ${w.before.join(", ")}`);
      if (!w.cookies.length) throw new Error(`${lib.id}: accepting all left no first-party cookie`);
      if (w.errors.length) console.warn(`bench: ${lib.id} page errors: ${w.errors.join("; ")}`);
      meta[lib.id] = { cookies: w.cookies, files: new Set(w.files) };
      console.log(`bench: warm-up ${lib.id}: banner ${w.bannerMs.toFixed(0)} ms, consent cookie ${w.cookies.map((c) => c.name).join(", ")}, files ${w.files.join(", ")}`);
    }

    for (let i = 0; i < runs; i++) {
      // Round robin, starting one library further each run.
      const order = libs.map((_, j) => libs[(i + j) % libs.length]);
      for (const lib of order) {
        const s = samples[lib.id];
        const p = await visit(browser, server, lib, "plain");
        if (p.leaked.length) throw new Error(`${lib.id}: third parties contacted before consent: ${p.leaked.join(", ")}`);
        for (const e of p.errors) if (!meta[lib.id].errors?.has(e)) (meta[lib.id].errors ??= new Set()).add(e), console.warn(`bench: ${lib.id} page error: ${e}`);
        p.files.forEach((f) => meta[lib.id].files.add(f));
        s.bannerMs.push(p.bannerMs);
        s.scriptMs.push(p.scriptMs);
        s.longTasks.push(p.longTasks);
        s.longTaskMs.push(p.longTaskMs);
        s.cls.push(p.cls);
        s.throttledMs.push((await visit(browser, server, lib, "throttled")).bannerMs);
        const r = await visit(browser, server, lib, "returning", meta[lib.id].cookies);
        if (r.bannerShown) console.warn(`bench: ${lib.id}: returning visitor still saw the banner`);
        s.gaMs.push(r.gaMs);
      }
      load.push(os.loadavg()[0]);
      console.log(`bench: run ${i + 1}/${runs} done (${((Date.now() - t0) / 1000).toFixed(0)} s, load ${load.at(-1).toFixed(1)})`);
    }
  } finally {
    await browser.close();
    await server.close();
  }

  const stats = {};
  const files = {};
  for (const lib of libs) {
    const paths = [...meta[lib.id].files].sort();
    const bytes = libBytes(paths.map((p) => join(lib.dir, decodeURIComponent(p.slice(lib.mount.length)))));
    const shown = (f) => (f.startsWith(snapshot) ? "dist" + f.slice(snapshot.length) : f.slice(ROOT.length + 1));
    files[lib.id] = bytes.files.map((f) => ({ ...f, file: shown(f.file) }));
    const one = (v) => ({ median: v, min: v, max: v, n: 1 });
    stats[lib.id] = { gzip: one(bytes.gzip), brotli: one(bytes.brotli) };
    for (const [k, xs] of Object.entries(samples[lib.id])) stats[lib.id][k] = stat(xs);
    const lt = samples[lib.id].longTasks;
    const withLongTask = lt.filter((n) => n > 0).length;
    stats[lib.id].longTaskRuns = { median: withLongTask, min: withLongTask, max: withLongTask, n: lt.length };
  }

  const { table, ratioTable } = mdTable(libs, stats, samples);
  const date = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const cpu = os.cpus();
  const secs = ((Date.now() - t0) / 1000).toFixed(0);
  console.log("\n" + table + "\n\n" + ratioTable + "\n");
  console.log(`bench: ${secs} s`);
  if (!write) return;

  const fileList = libs
    .map((l) => `- ${l.id}: ${files[l.id].map((f) => `\`${f.file}\` (${f.gzip} / ${f.brotli} B)`).join(", ")}`)
    .join("\n");
  const md = `# Benchmark: consentry and its peers, side by side

Generated by \`npm run bench\` (\`node bench/run.mjs --runs ${runs}\`); do not edit by hand.

- Date: ${date}
- Chromium ${chromium} (Debian \`/usr/bin/chromium\`, headless, via playwright-core), Node ${process.version}
- Machine: ${cpu.length} x ${cpu[0]?.model ?? "?"}, ${os.platform()} ${os.release()}; 1-minute load average during the bench ${fmtLoad(load)}.
  Timings are noisy here (other work shares the CPUs), so read ranges and the
  side-by-side ratios, not single figures; bytes are exact
- Libraries: ${libs.map((l) => `${l.name} ${l.version}`).join(", ")}; consentry's dist/ built ${built}, worktree at commit ${commit}
- Runs: ${runs} per library and mode, round robin, a fresh browser context for every visit; the bench took ${secs} s

## Medians (min–max)

${table}

## consentry against the best peer

${ratioTable}

Ratios below 1.00 mean consentry is smaller or faster than every peer. Each
timing ratio comes with a 95% bootstrap interval (its runs and the best
peer's redrawn 2000 times, seeded): "slower" or "faster" only when the whole
interval is on one side of 1, else "within noise of 1".

## What the columns mean

- **gzip / brotli KiB**: gzip -9 and brotli quality 11 of exactly the files the
  page loaded from the library's folder (JS, CSS, wasm), summed; computed with
  node's zlib, so deterministic:
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
- **script ms**: CDP \`Performance.getMetrics\` ScriptDuration from page start
  to 2 s after the banner (everything that ran on the page; the page's own
  script is the same tiny one for all).
- **long tasks**: \`longtask\` PerformanceObserver entries (main-thread tasks
  over 50 ms) until 2 s after the banner, per run; and in how many runs there
  was at least one.
- **CLS**: sum of \`layout-shift\` values without recent input until then.
- **returning**: a visitor who accepted everything before (the library's own
  cookie, taken from \`context.cookies()\` after clicking its accept button in a
  warm-up run) opens the page; time from the document request to the request
  for the gated \`gtag.js\`, both CDP \`Network.requestWillBeSent\` timestamps.

Same page for all (\`bench/page.mjs\`): the Google Analytics snippet, the Meta
pixel, a YouTube embed and a first-party preferences script, with each
library's own documented gated markup and the same three categories
(necessary, analytics, marketing) set up from its own docs (\`bench/libs.mjs\`).
Every third-party request is answered locally by \`context.route\`; the warm-up
checks that no gated third party is contacted before consent and that
accepting all loads \`gtag.js\`.
`;
  writeFileSync(join(ROOT, "bench", "RESULTS.md"), md);
  writeFileSync(
    join(ROOT, "bench", "results.json"),
    JSON.stringify({ date, chromium, node: process.version, machine: `${cpu.length} x ${cpu[0]?.model ?? "?"}`, load, runs, libraries: libs.map((l) => ({ id: l.id, version: l.version })), files, stats, samples }, null, 1) + "\n",
  );
  console.log("bench: wrote bench/RESULTS.md and bench/results.json");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e) => {
    console.error(`bench: ${e && e.stack ? e.stack : e}`);
    process.exit(1);
  });
}
