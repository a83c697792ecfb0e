// The bench's ratio interval (bench/run.mjs): it must call a real gap a
// gap, call identical distributions noise, and be reproducible.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ratioInterval } from "../../bench/run.mjs";

// Timings with the spread the bench machine shows (about +-20%).
const noisy = (centre, n = 15) => Array.from({ length: n }, (_, i) => centre * (0.8 + ((i * 7) % n) / n * 0.4));

test("the same samples on both sides: the interval holds 1", () => {
  const [lo, hi] = ratioInterval(noisy(130), noisy(130));
  assert.ok(lo < 1 && hi > 1, `${lo}–${hi}`);
});

test("a 40% gap over noise of +-20%: the whole interval is above 1", () => {
  const [lo, hi] = ratioInterval(noisy(180), noisy(130));
  assert.ok(lo > 1, `lower end ${lo}`);
  assert.ok(hi < 1.8, `upper end ${hi}`);
  const [flo, fhi] = ratioInterval(noisy(130), noisy(180));
  assert.ok(fhi < 1 && flo > 0.5, `the other way round: ${flo}–${fhi}`);
});

test("seeded: the same samples give the same interval", () => {
  assert.deepEqual(ratioInterval(noisy(150), noisy(140)), ratioInterval(noisy(150), noisy(140)));
});

// The pre-rendered variant uses the build's own renderer, found at run time,
// and never stands in for a missing one.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { METRICS, NO_RENDERER, NOT_OFFERED, args, findRenderer, mdTable } from "../../bench/run.mjs";

test("findRenderer: none in a build without renderBanner and without a bin", async () => {
  const dir = mkdtempSync(join(tmpdir(), "consentry-bench-"));
  try {
    mkdirSync(join(dir, "dist"));
    writeFileSync(join(dir, "dist", "consentry.mjs"), "export const init = () => 1;\n");
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "x" }));
    assert.equal(await findRenderer(join(dir, "dist"), dir), null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("findRenderer: a dist module exporting renderBanner is found and called with (config, lang)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "consentry-bench-"));
  try {
    mkdirSync(join(dir, "dist"));
    // A browser-only module that merely names it is not imported as a renderer.
    writeFileSync(join(dir, "dist", "consentry.js"), "window.renderBanner = 1;\n");
    writeFileSync(join(dir, "dist", "server.mjs"), "export async function renderBanner(c, lang) { return `<div data-consentry=\"banner\" lang=\"${lang}\">${c.categories.length}</div>`; }\n");
    const r = await findRenderer(join(dir, "dist"), dir);
    assert.ok(r, "renderer found");
    assert.match(r.how, /dist\/server\.mjs/);
    assert.equal(await r.render({ categories: [1, 2] }, "en"), '<div data-consentry="banner" lang="en">2</div>');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the table says n/a for consentry's pre-rendered rows without a renderer, and 'not offered' for peers", () => {
  const libs = [
    { id: "consentry", version: "1", prerender: true },
    { id: "orejime", version: "2", prerender: false },
  ];
  const s = (xs) => ({ median: xs[0], min: Math.min(...xs), max: Math.max(...xs), sum: xs.reduce((a, x) => a + x, 0), runsWith: xs.filter((x) => x > 0).length, n: xs.length });
  const stats = {};
  for (const l of libs) stats[l.id] = Object.fromEntries(METRICS.map((m) => [m.key, m.pre ? { n: 0 } : s([l.id === "consentry" ? 2048 : 1024])]));
  const { table, ratioTable } = mdTable(libs, stats, {}, NO_RENDERER);
  const row = table.split("\n").find((l) => l.startsWith("| pre-rendered: banner ms |"));
  assert.equal(row, `| pre-rendered: banner ms | ${NO_RENDERER} | ${NOT_OFFERED} |`);
  assert.match(ratioTable, /\| first visit: bytes, brotli KiB \| 2\.00x of orejime \(2\.0 vs 1\.0\) \| ≤ 30\.0 KiB \| met \|/);
  assert.match(ratioTable, new RegExp(`\\| pre-rendered: banner ms \\| ${NO_RENDERER.replace(/[()/]/g, "\\$&")} \\|`));
});

test("runs are bounded: --runs, else BENCH_RUNS, else 15", () => {
  assert.equal(args([], {}).runs, 15);
  assert.equal(args([], { BENCH_RUNS: "4" }).runs, 4);
  assert.equal(args(["--runs", "2"], { BENCH_RUNS: "4" }).runs, 2);
  assert.throws(() => args(["--runs", "1000"], {}), /from 1 to 100/);
  assert.throws(() => args([], { BENCH_RUNS: "x" }), /BENCH_RUNS/);
});

test("a ratio target is met only when the whole interval is under it", () => {
  const libs = [
    { id: "consentry", version: "1", prerender: true },
    { id: "orejime", version: "2", prerender: false },
  ];
  const st = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return { median: s[(s.length - 1) / 2], min: s[0], max: s.at(-1), sum: 0, runsWith: 0, n: s.length };
  };
  // gaMs target: at most 0.9x the best peer.
  const clear = { consentry: Array.from({ length: 15 }, (_, i) => 50 + i), orejime: Array.from({ length: 15 }, (_, i) => 100 + i) };
  const noisy = { consentry: Array.from({ length: 15 }, (_, i) => 30 + i * 8), orejime: Array.from({ length: 15 }, (_, i) => 40 + i * 8) };
  for (const [samples, want] of [
    [clear, /\| met \|$/],
    [noisy, /\| met by the median only \(interval up to \d\.\d\dx\) \|$/],
  ]) {
    const stats = {};
    for (const l of libs) stats[l.id] = Object.fromEntries(METRICS.map((m) => [m.key, m.key === "gaMs" ? st(samples[l.id]) : { n: 0 }]));
    const { ratioTable } = mdTable(libs, stats, { consentry: { gaMs: samples.consentry }, orejime: { gaMs: samples.orejime } }, NO_RENDERER);
    const row = ratioTable.split("\n").find((l) => l.startsWith("| returning: gtag.js request ms |"));
    assert.match(row, want);
  }
});
