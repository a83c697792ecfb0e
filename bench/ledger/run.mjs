#!/usr/bin/env node
// `npm run bench:ledger`: receipts acknowledged per second, p50/p99 latency
// and resident memory of consentry-server on SQLite and on PostgreSQL (a
// private cluster in a temp dir), each run several times; medians reported.
// Loopback only, bounded: RUNS x TOTAL requests per database.
//
//   node bench/ledger/run.mjs [--runs 3] [--total 20000] [--concurrency 64]
//
// Not part of npm test: timings depend on the machine and its load.

import { execFileSync, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
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
const PG_BIN = "/usr/lib/postgresql/15/bin";
const BIN = join(ROOT, "target", "server", "consentry-server");

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

async function startServer(configPath) {
  const child = spawn(BIN, ["--config", configPath, "--log", "warn"], { stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise((ok, fail) => {
    createInterface({ input: child.stdout }).once("line", (l) => (l.startsWith("listening on ") ? ok(l.slice(13).trim()) : fail(new Error(l))));
    child.once("exit", (c) => fail(new Error(`consentry-server exited with ${c}`)));
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
  const s = await startServer(path);
  const body = receipts(text, `${label}-${port}`);
  await load({ url: s.url, total: 1000, concurrency: CONCURRENCY, body: (i) => body(TOTAL + i), okStatus: [202] }); // warm-up
  const r = await load({ url: s.url, total: TOTAL, concurrency: CONCURRENCY, body, okStatus: [202] });
  const mem = memory(s.child.pid);
  await s.stop();
  return { ...r, ...mem };
}

const r = spawnSync("cargo", ["build", "-q", "--profile", "server", "-p", "consentry-server"], { cwd: ROOT, stdio: "inherit" });
if (r.status !== 0) process.exit(1);
const dir = mkdtempSync(join(tmpdir(), "consentry-bench-ledger-"));
execFileSync("chmod", ["755", dir]);
const pg = await cluster(dir);
const results = {};
try {
  for (const [label, url] of [["sqlite", (i) => `sqlite://${join(dir, `bench-${i}.db`)}`], ["postgres", () => pg.url()]]) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      runs.push(await measure(url(i), dir, label));
      const x = runs.at(-1);
      console.error(`${label} run ${i + 1}: ${x.perSecond.toFixed(0)}/s p50 ${x.p50.toFixed(2)} ms p99 ${x.p99.toFixed(2)} ms peak RSS ${x.peakMiB.toFixed(1)} MiB ${JSON.stringify(x.failures)}`);
    }
    results[label] = {
      perSecond: median(runs.map((x) => x.perSecond)),
      p50: median(runs.map((x) => x.p50)),
      p99: median(runs.map((x) => x.p99)),
      peakMiB: median(runs.map((x) => x.peakMiB)),
      runs,
    };
  }
} finally {
  pg.stop();
  rmSync(dir, { recursive: true, force: true });
}
console.log(`\nconsentry-server, ${TOTAL} receipts x ${RUNS} runs, ${CONCURRENCY} concurrent, medians:`);
console.log("database   events/s   p50 ms   p99 ms   peak RSS MiB");
for (const [k, v] of Object.entries(results)) {
  console.log(`${k.padEnd(9)} ${v.perSecond.toFixed(0).padStart(9)} ${v.p50.toFixed(2).padStart(8)} ${v.p99.toFixed(2).padStart(8)} ${v.peakMiB.toFixed(1).padStart(14)}`);
}
writeFileSync(join(ROOT, "bench", "ledger", "results.json"), JSON.stringify({ date: new Date().toISOString(), total: TOTAL, runs: RUNS, concurrency: CONCURRENCY, results }, null, 2) + "\n");
