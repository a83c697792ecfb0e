#!/usr/bin/env node
// What the prelude costs per intercepted DOM call, and what it weighs.
//
//   node scripts/build.mjs && node bench/prelude.mjs [--n 5000] [--runs 9]
//
// Loads the same page twice in Debian's Chromium (harness launch()), with and
// without dist/consentry-prelude.js inline at the top of <head>, and times
// each operation N times per run; prints the fastest run's ns per call of
// both and the difference (the fastest, because a shared machine only ever
// adds noise). Tracker srcs are held for good, so that case runs last and the
// held list grows over its runs: its figure includes that growth. Elements are created in an inert document (same realm, so
// the prelude's setters apply) so nothing is fetched; no request leaves the
// machine (the page itself is answered by a route). Not a test: timings vary
// by machine, only the order of magnitude is meant to be read.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PRELUDE_BROTLI_MAX, sizes } from "../scripts/build.mjs";
import { ROOT, launch } from "../tests/e2e/harness.mjs";

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg("--n", 5000);
const RUNS = arg("--runs", 9);

const file = join(ROOT, "dist", "consentry-prelude.js");
const prelude = readFileSync(file, "utf8");

// Each case: setup runs once per run, body N times with i = 0..N-1.
const CASES = {
  "img.src = first-party URL (passes)": ["const d = document.implementation.createHTMLDocument('')", "d.createElement('img').src = '/img/' + i + '.png'"],
  "script.src = first-party URL": ["const d = document.implementation.createHTMLDocument('')", "d.createElement('script').src = '/js/' + i + '.js'"],
  "setAttribute('src', first-party)": ["const d = document.implementation.createHTMLDocument('')", "d.createElement('img').setAttribute('src', '/img/' + i + '.png')"],
  "setAttribute('class', x) (not a URL)": ["const e = document.createElement('div')", "e.setAttribute('class', 'c' + i)"],
  "innerHTML = first-party markup": ["const e = document.createElement('div')", "e.innerHTML = '<p class=a' + i + '><b>text</b></p>'"],
  "appendChild + remove (observer)": ["const b = document.body", "const e = document.createElement('div'); b.appendChild(e); e.remove()"],
  "document.cookie = undeclared": ["", "document.cookie = 'bench=' + i + '; Path=/'"],
  "document.cookie = _ga (ignored)": ["", "document.cookie = '_ga=' + i + '; Path=/'"],
  "img.src = tracker URL (held)": ["const d = document.implementation.createHTMLDocument('')", "d.createElement('img').src = 'https://www.facebook.com/tr?id=' + i"],
};

function page(withPrelude) {
  return `<!doctype html><html lang=en><head><meta charset=utf-8>${withPrelude ? `<script>${prelude}</script>` : ""}<title>bench</title></head><body></body></html>`;
}

async function measure(browser, withPrelude) {
  const context = await browser.newContext();
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url === "http://bench.invalid/") {
      return route.fulfill({ status: 200, headers: { "Content-Type": "text/html" }, body: page(withPrelude) });
    }
    return route.fulfill({ status: 204 });
  });
  const p = await context.newPage();
  await p.goto("http://bench.invalid/");
  const out = {};
  for (const [name, [setup, body]] of Object.entries(CASES)) {
    out[name] = await p.evaluate(
      async ({ setup, body, N, RUNS }) => {
        // eslint-disable-next-line no-new-func
        const run = new Function("N", `${setup}; const t0 = performance.now(); for (let i = 0; i < N; i++) { ${body} } return performance.now() - t0;`);
        run(Math.min(N, 2000)); // warm up
        const times = [];
        for (let r = 0; r < RUNS; r++) {
          const ms = run(N);
          await new Promise((res) => setTimeout(res, 0)); // let the observer's callbacks count too
          times.push((ms * 1e6) / N);
        }
        return Math.min(...times);
      },
      { setup, body, N, RUNS },
    );
  }
  await context.close();
  return out;
}

const browser = await launch();
try {
  const without = await measure(browser, false);
  const withP = await measure(browser, true);
  const s = sizes(Buffer.from(prelude));
  console.log(`dist/consentry-prelude.js: ${s.raw} B raw, ${s.gzip} B gzip -9, ${s.brotli} B brotli (budget ${PRELUDE_BROTLI_MAX})`);
  console.log(`fastest of ${RUNS} runs x ${N} calls, ns per call (Chromium ${browser.version()})\n`);
  const w = Math.max(...Object.keys(CASES).map((k) => k.length));
  console.log(`${"operation".padEnd(w)}  ${"without".padStart(8)}  ${"with".padStart(8)}  ${"cost".padStart(8)}`);
  for (const k of Object.keys(CASES)) {
    const a = without[k];
    const b = withP[k];
    console.log(`${k.padEnd(w)}  ${a.toFixed(0).padStart(8)}  ${b.toFixed(0).padStart(8)}  ${(b - a).toFixed(0).padStart(8)}`);
  }
  console.log("\n(observer callbacks run between runs and are not in the loop time of the appendChild row)");
} finally {
  await browser.close();
}
