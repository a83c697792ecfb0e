#!/usr/bin/env node
// `npm run bench:ledger`: receipts acknowledged per second, p50/p99 latency
// and resident memory of consentry-server on SQLite and on PostgreSQL (a
// private cluster in a temp dir), each run several times; medians reported.
// Side by side, in the same run and on the same databases, c15t's backend
// (@c15t/backend, bench/ledger/c15t/, installed there on demand so the root
// lockfile never changes) records the same decisions through its consent
// POST. Runs alternate between the two servers so drifting machine load hits
// both. Loopback only, bounded: 2 x RUNS x TOTAL requests per database.
//
//   node bench/ledger/run.mjs [--runs 3] [--total 20000] [--concurrency 64]
//
// Not part of npm test: timings depend on the machine and its load.

import { execFileSync, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { demoConfig, freePort } from "../../scripts/ledger.mjs";
import { load, memory } from "./load.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const RUNS = arg("runs", 3);
const TOTAL = arg("total", 20000);
const CONCURRENCY = arg("concurrency", 64);
const WARMUP = Math.min(1000, TOTAL); // requests before each measured run
const PG_BIN = "/usr/lib/postgresql/15/bin";
const BIN = join(ROOT, "target", "server", "consentry-server");
const C15T = join(ROOT, "bench", "ledger", "c15t");

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function asPostgres(args) {
  return execFileSync("runuser", ["-u", "postgres", "--", ...args], { stdio: ["ignore", "pipe", "pipe"] }).toString();
}

/** A private PostgreSQL 15 cluster; returns { url(name), stop }. */
async function cluster(dir) {
  const data = join(dir, "pg"), sock = join(dir, "sock");
  mkdirSync(data);
  mkdirSync(sock);
  execFileSync("chown", ["-R", "postgres:postgres", data, sock]);
  asPostgres([`${PG_BIN}/initdb`, "-D", data, "-A", "trust", "-U", "postgres", "--no-sync"]);
  const port = await freePort();
  asPostgres([`${PG_BIN}/pg_ctl`, "-D", data, "-o", `-c listen_addresses=127.0.0.1 -p ${port} -k ${sock}`, "-l", join(sock, "log"), "-w", "start"]);
  let n = 0;
  return {
    url() {
      const name = `bench${n++}`;
      asPostgres([`${PG_BIN}/createdb`, "-h", "127.0.0.1", "-p", String(port), name]);
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    stop: () => asPostgres([`${PG_BIN}/pg_ctl`, "-D", data, "-m", "fast", "-w", "stop"]),
  };
}

/** Starts a server that prints "listening on <url>" as its first line. */
async function startServer(command, args) {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise((ok, fail) => {
    createInterface({ input: child.stdout }).once("line", (l) => (l.startsWith("listening on ") ? ok(l.slice(13).trim()) : fail(new Error(l))));
    child.once("exit", (c) => fail(new Error(`${args[0]} exited with ${c}`)));
  });
  return { url, child, stop: () => new Promise((d) => (child.once("exit", d), child.kill("SIGTERM"))) };
}

function receipts(configText, prefix) {
  const hash = createHash("sha256").update(`consentry-config-v1\nen\n${JSON.stringify(JSON.parse(configText))}`).digest("hex");
  const ids = ["authorization", "security", "settings", "marketing", "analytics"];
  const methods = ["accept-all", "reject-all", "custom"];
  return (i) => {
    const method = methods[i % 3];
    const categories = Object.fromEntries(ids.map((id, k) => [id, k < 2 || method === "accept-all" || (method === "custom" && k === 4)]));
    const payload = JSON.stringify({
      event_id: `${prefix}-${String(i).padStart(10, "0")}`,
      kind: "decision",
      record: { id: `B${String(i % 100000).padStart(15, "0")}`, revision: 1, given: "2026-12-01T10:00:00Z", updated: "2026-12-01T10:00:00Z", method, categories },
      config_hash: hash,
      gpc: false,
      page: "https://example.com/account",
      sent: new Date().toISOString(),
    });
    return { path: "/consent/events", headers: { "Content-Type": "text/plain;charset=UTF-8" }, payload };
  };
}

async function measure(database, dir, label) {
  const port = await freePort();
  const configText = await demoConfig({ port, origins: [], database });
  const config = JSON.parse(configText);
  config.ledger.rate_limit_per_minute = 0; // one client sends everything here
  const text = JSON.stringify(config);
  const path = join(dir, `config-${port}.json`);
  writeFileSync(path, text);
  const s = await startServer(BIN, ["--config", path, "--log", "warn"]);
  const body = receipts(text, `${label}-${port}`);
  await load({ url: s.url, total: WARMUP, concurrency: CONCURRENCY, body: (i) => body(TOTAL + i), okStatus: [202] }); // warm-up
  const r = await load({ url: s.url, total: TOTAL, concurrency: CONCURRENCY, body, okStatus: [202] });
  const mem = memory(s.child.pid);
  await s.stop();
  return { ...r, ...mem };
}

const B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const base58 = (n) => {
  let out = "";
  do (out = B58[n % 58] + out), (n = Math.floor(n / 58));
  while (n > 0);
  return out.padStart(6, "1");
};

/** c15t's consent POST carrying the same decision as receipts(…)(i). */
function c15tConsents() {
  const ids = ["authorization", "security", "settings", "marketing", "analytics"];
  const methods = ["accept-all", "reject-all", "custom"];
  const givenAt = Date.parse("2026-12-01T10:00:00Z");
  return (i) => {
    const method = methods[i % 3];
    const preferences = Object.fromEntries(ids.map((id, k) => [id, k < 2 || method === "accept-all" || (method === "custom" && k === 4)]));
    const payload = JSON.stringify({
      type: "cookie_banner",
      subjectId: `sub_${base58(i % 100000)}`,
      domain: "example.com",
      preferences,
      givenAt,
      metadata: { method, page: "https://example.com/account" },
    });
    return { path: "/api/c15t/subjects", headers: { "Content-Type": "application/json" }, payload };
  };
}

async function measureC15t(database) {
  const s = await startServer(process.execPath, [join(C15T, "server.mjs"), "--database", database]);
  const body = c15tConsents();
  await load({ url: s.url, total: WARMUP, concurrency: CONCURRENCY, body: (i) => body(TOTAL + i), okStatus: [200] }); // warm-up
  const r = await load({ url: s.url, total: TOTAL, concurrency: CONCURRENCY, body, okStatus: [200] });
  const mem = memory(s.child.pid);
  await s.stop();
  return { ...r, ...mem };
}

const r = spawnSync("cargo", ["build", "-q", "--profile", "server", "-p", "consentry-server"], { cwd: ROOT, stdio: "inherit" });
if (r.status !== 0) process.exit(1);
if (!existsSync(join(C15T, "node_modules"))) {
  // better-sqlite3 has no reachable prebuilt binary here; it builds with node-gyp.
  execFileSync("npm", ["ci", "--prefix", C15T, "--no-audit", "--no-fund"], { stdio: "inherit" });
}
const loadBefore = loadavg().map((x) => x.toFixed(2)).join(" ");
const dir = mkdtempSync(join(tmpdir(), "consentry-bench-ledger-"));
execFileSync("chmod", ["755", dir]);
const pg = await cluster(dir);
const results = {};
const summary = (runs) => ({
  perSecond: median(runs.map((x) => x.perSecond)),
  p50: median(runs.map((x) => x.p50)),
  p99: median(runs.map((x) => x.p99)),
  peakMiB: median(runs.map((x) => x.peakMiB)),
  runs,
});
try {
  for (const [label, url] of [["sqlite", (i, who) => `sqlite://${join(dir, `bench-${who}-${i}.db`)}`], ["postgres", () => pg.url()]]) {
    const runs = { consentry: [], c15t: [] };
    for (let i = 0; i < RUNS; i++) {
      for (const who of i % 2 ? ["c15t", "consentry"] : ["consentry", "c15t"]) {
        const x = who === "consentry" ? await measure(url(i, who), dir, label) : await measureC15t(url(i, who));
        runs[who].push(x);
        console.error(`${label} ${who} run ${i + 1}: ${x.perSecond.toFixed(0)}/s p50 ${x.p50.toFixed(2)} ms p99 ${x.p99.toFixed(2)} ms peak RSS ${x.peakMiB.toFixed(1)} MiB ${JSON.stringify(x.failures)}`);
      }
    }
    results[label] = { consentry: summary(runs.consentry), c15t: summary(runs.c15t) };
  }
} finally {
  pg.stop();
  rmSync(dir, { recursive: true, force: true });
}
const f = (x, d) => (Number.isFinite(x) ? x.toFixed(d) : "n/a");
const table = [
  "| database | server | events/s | p50 ms | p99 ms | peak RSS MiB |",
  "|---|---|---:|---:|---:|---:|",
  ...Object.entries(results).flatMap(([db, both]) =>
    Object.entries(both).map(([who, v]) => `| ${db} | ${who === "c15t" ? "c15t 2.2.1" : "consentry-server"} | ${f(v.perSecond, 0)} | ${f(v.p50, 2)} | ${f(v.p99, 2)} | ${f(v.peakMiB, 1)} |`),
  ),
  "",
  "| database | throughput consentry/c15t | p99 consentry/c15t | peak RSS consentry/c15t |",
  "|---|---:|---:|---:|",
  ...Object.entries(results).map(([db, { consentry: a, c15t: b }]) => `| ${db} | ${f(a.perSecond / b.perSecond, 2)} | ${f(a.p99 / b.p99, 2)} | ${f(a.peakMiB / b.peakMiB, 2)} |`),
].join("\n");
const head = `${TOTAL} decisions x ${RUNS} runs per server and database, ${CONCURRENCY} concurrent, medians`;
console.log(`\n${head}:\n\n${table}`);
const dirty = spawnSync("git", ["status", "--porcelain", "--", "bench/ledger", "server", "src"], { cwd: ROOT }).stdout?.toString().trim();
const commit = (spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT }).stdout?.toString().trim() || "unknown") + (dirty ? " with uncommitted changes" : "");
const load1 = loadavg().map((x) => x.toFixed(2)).join(" ");
writeFileSync(
  join(ROOT, "bench", "ledger", "RESULTS.md"),
  `# Ledger benchmark: consentry-server and c15t's backend

Written by \`node bench/ledger/run.mjs --runs ${RUNS} --total ${TOTAL} --concurrency ${CONCURRENCY}\` on ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC,
commit ${commit}, load average before the run ${loadBefore}, after ${load1}.

The machine is a noisy 2-core box shared with other jobs, and the load
generator runs on the same cores as the server it measures: read the
ratios, not the absolute figures, and expect them to move by a third from
one run to the next.

${head}. Events/s counts acknowledged answers only (202 for consentry,
200 for c15t); latency runs from the request write to the end of the
answer; peak RSS is the server process's VmHWM after the run.

${table}

What each side does per request:

- **consentry-server** (Rust, axum, sqlx; \`--profile server\`) checks the
  receipt with the same core as the browser (categories, required ones,
  revision, ids, dates, the config hash registered at start-up), drops a
  repeated event id, chains the event to the previous one by hash and commits
  before it answers. SQLite in WAL with \`synchronous=FULL\`; PostgreSQL and
  SQLite pools of 8.
- **c15t** (\`@c15t/backend\` 2.2.1, Hono on \`@hono/node-server\`, Node
  ${process.version}) set up as its bundled \`docs/self-host\` guide says: a
  Kysely instance with the kysely adapter, tables from the package's migrator
  (\`bench/ledger/c15t/server.mjs\`). Each \`POST /api/c15t/subjects\`
  (\`cookie_banner\`, the same five categories and method) finds or creates
  the subject, domain, policy and purposes and appends a consent row. SQLite
  through better-sqlite3 12 (WAL, \`synchronous=FULL\`), PostgreSQL through
  \`pg\` (pool of 8). One Node process, so one core for JavaScript.

Both servers start fresh on an empty database for every run, get the same
warm-up (${WARMUP} requests) and listen on 127.0.0.1 only. Runs alternate
which server goes first. Raw runs: \`bench/ledger/results.json\`.
`,
);
writeFileSync(join(ROOT, "bench", "ledger", "results.json"), JSON.stringify({ date: new Date().toISOString(), total: TOTAL, runs: RUNS, concurrency: CONCURRENCY, results }, null, 2) + "\n");
