#!/usr/bin/env node
// `npm test`: setup (with the browser), release build, then these layers,
// stopping at the first that fails:
//
//   cargo      native `cargo test --features node` (unit tests + tests/*.rs + doc tests)
//   lint       `cargo fmt --check`, `cargo clippy --lib` native and wasm32 (both parts, each alone, and the Node build), clippy on the server,
//              `cargo check` of every `npm run deps` variant (scripts/deps.mjs --check); warnings denied
//   ledger     `cargo test -p consentry-server`: the ledger on SQLite and a private PostgreSQL
//   types      `tsc --noEmit --strict` over tests/types/consumer.ts (the shipped .d.ts)
//   node       `node --test` over tests/node/*.test.mjs (schema, SSR import)
//   wasm       `cargo test --target wasm32-unknown-unknown --features std --test web` in headless Chromium
//   e2e        `node --test` over tests/e2e/*.test.mjs (Playwright against the demo)
//   consumers  the packed tarball installed into tests/consumers/* apps, built, run in Chromium
//
// The last line is always `N passed, N failed` over all layers that ran.
//
//   npm test -- --only e2e           # one layer (comma-separate several)
//   npm test -- --no-build           # reuse dist/ as it is
//   npm test -- --only e2e tests/e2e/foundation.test.mjs   # just these files
//
// Only node builtins at top level: this runs on a fresh clone.

import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { build } from "./build.mjs";
import { buildServer } from "./ledger.mjs";
import { CHROMEDRIVER, root, setup } from "./setup.mjs";

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const onlyArg = (() => {
  const i = argv.findIndex((a) => a === "--only" || a.startsWith("--only="));
  if (i < 0) return null;
  const v = argv[i].includes("=") ? argv[i].split("=")[1] : argv[i + 1];
  return new Set(String(v).split(",").map((s) => s.trim()));
})();
const fileArgs = argv.filter((a, i) => a.endsWith(".mjs") && !argv[i - 1]?.startsWith("--only"));

/** tests/<dir>/*.test.mjs, sorted, relative to the root. */
function testFiles(dir) {
  const abs = join(root, "tests", dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs)
    .filter((f) => f.endsWith(".test.mjs"))
    .sort()
    .map((f) => join("tests", dir, f));
}

/** `node --test` over files, one at a time, TAP out. */
function nodeTest(files, timeout = 90_000) {
  // Node 20's --test does not expand globs, so the files are listed here.
  return exec(process.execPath, ["--test", "--test-concurrency=1", `--test-timeout=${timeout}`, "--test-reporter=tap", ...files]);
}

/** Counts tsc diagnostics: a clean run is one passed check, each error one failure. */
export function parseTsc(out) {
  const errors = (out.match(/error TS\d+:/g) || []).length;
  return { passed: errors ? 0 : 1, failed: errors, skipped: 0, suites: 1 };
}

/** Runs a command, echoing its output live, and resolves with {code, out}. */
function exec(cmd, args, env = {}) {
  console.log(`\n$ ${[cmd, ...args].join(" ")}`);
  return new Promise((ok) => {
    const child = spawn(cmd, args, {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      process.stdout.write(d);
    });
    child.stderr.on("data", (d) => {
      out += d;
      process.stderr.write(d);
    });
    child.on("error", (e) => ok({ code: 127, out: out + `\n${cmd}: ${e.message}\n` }));
    child.on("close", (code, signal) => ok({ code: code ?? (signal ? 128 : 1), out }));
  });
}

/** Sums every `test result: ok. X passed; Y failed; Z ignored` line cargo (and wasm-bindgen-test) print. */
export function parseCargo(out) {
  const r = { passed: 0, failed: 0, skipped: 0, suites: 0 };
  for (const m of out.matchAll(/test result: (?:ok|FAILED)\. (\d+) passed; (\d+) failed(?:; (\d+) ignored)?/g)) {
    r.passed += Number(m[1]);
    r.failed += Number(m[2]);
    r.skipped += Number(m[3] ?? 0);
    r.suites += 1;
  }
  return r;
}

/** Reads the closing `# pass X` / `# fail Y` lines of node's TAP reporter. */
export function parseTap(out) {
  const last = (re) => {
    const all = [...out.matchAll(re)];
    return all.length ? Number(all[all.length - 1][1]) : 0;
  };
  return {
    passed: last(/^# pass (\d+)$/gm),
    failed: last(/^# fail (\d+)$/gm) + last(/^# cancelled (\d+)$/gm),
    skipped: last(/^# skipped (\d+)$/gm) + last(/^# todo (\d+)$/gm),
    suites: 1,
  };
}

/** One check per lint command: passed when it exits 0, one failure otherwise. */
async function lint() {
  const checks = [
    ["cargo", ["fmt", "--check"]],
    ["cargo", ["clippy", "--lib", "--", "-D", "warnings"]],
    ["cargo", ["clippy", "--lib", "--target", "wasm32-unknown-unknown", "--", "-D", "warnings"]],
    // Each part alone, as scripts/build.mjs builds it (issue 15).
    ["cargo", ["clippy", "--lib", "--target", "wasm32-unknown-unknown", "--no-default-features", "--features", "gate", "--", "-D", "warnings"]],
    ["cargo", ["clippy", "--lib", "--target", "wasm32-unknown-unknown", "--no-default-features", "--features", "ask", "--", "-D", "warnings"]],
    // The core for Node (consentry/server, the CLI): no web layer, std + toml.
    ["cargo", ["clippy", "--lib", "--no-default-features", "--features", "node", "--target", "wasm32-unknown-unknown", "--", "-D", "warnings"]],
    // The ledger server and its tests (server/clippy.toml: no size rules there).
    ["cargo", ["clippy", "-p", "consentry-server", "--all-targets", "--", "-D", "warnings"]],
    // The measurement-only dependency variants (`npm run deps`) and the debug
    // build's panic hook still compile for the wasm target, warnings denied.
    [process.execPath, ["scripts/deps.mjs", "--check"]],
  ];
  let out = "";
  let passed = 0;
  let failed = 0;
  for (const [cmd, args] of checks) {
    const r = await exec(cmd, args);
    out += r.out;
    if (r.code === 0) passed += 1;
    else failed += 1;
  }
  return { code: failed ? 1 : 0, out: `lint: ${passed} passed; ${failed} failed\n${out}` };
}

/** Reads lint()'s first line. */
export function parseLint(out) {
  const m = out.match(/^lint: (\d+) passed; (\d+) failed/);
  return { passed: m ? Number(m[1]) : 0, failed: m ? Number(m[2]) : 1, skipped: 0, suites: 1 };
}

const layers = [
  {
    name: "cargo",
    title: "cargo test (native)",
    // With the Node build's feature, so its TOML reader is tested too.
    run: () => exec("cargo", ["test", "--features", "node"]),
    parse: parseCargo,
  },
  {
    name: "lint",
    title: "lint (fmt, clippy x6, deps variants)",
    run: lint,
    parse: parseLint,
  },
  {
    // The consent ledger server, against SQLite and a private PostgreSQL.
    name: "ledger",
    title: "ledger server (SQLite + PostgreSQL)",
    run: () => exec("cargo", ["test", "-p", "consentry-server"]),
    parse: parseCargo,
  },
  {
    name: "types",
    title: "types (tsc --strict)",
    skip: () => (existsSync(join(root, "tests", "types", "tsconfig.json")) ? null : "no tests/types/tsconfig.json"),
    run: () => exec(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", join("tests", "types", "tsconfig.json")]),
    parse: parseTsc,
  },
  {
    name: "node",
    title: "node (schema, SSR)",
    skip: () => (testFiles("node").length ? null : "no tests/node/*.test.mjs files"),
    run: () => nodeTest(testFiles("node")),
    parse: parseTap,
  },
  {
    name: "wasm",
    title: "wasm-bindgen-test (Chromium)",
    skip: () => (existsSync(join(root, "tests", "web.rs")) ? null : "tests/web.rs does not exist"),
    run: () =>
      exec("cargo", ["test", "--target", "wasm32-unknown-unknown", "--features", "std", "--test", "web"], {
        CHROMEDRIVER,
        CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER: "wasm-bindgen-test-runner",
        WASM_BINDGEN_TEST_TIMEOUT: process.env.WASM_BINDGEN_TEST_TIMEOUT ?? "60",
      }),
    parse: parseCargo,
  },
  {
    name: "e2e",
    title: "end-to-end (Playwright)",
    files: () => (fileArgs.length ? fileArgs.map((f) => relative(root, resolve(f))) : testFiles("e2e")),
    skip() {
      return this.files().length ? null : "no tests/e2e/*.test.mjs files";
    },
    run() {
      // The ledger's tests start consentry-server: it is built here, not
      // inside the first such file, whose time limit it would eat (on a
      // fresh checkout, `--only e2e` went past 90 s compiling it).
      buildServer();
      // Node 20 applies --test-timeout to each file as a whole, too. A hung
      // test still fails, at 4 minutes.
      return nodeTest(this.files(), 240_000);
    },
    parse: parseTap,
  },
  {
    name: "consumers",
    title: "consumers (npm pack + apps)",
    skip: () => (testFiles("consumers").length ? null : "no tests/consumers/*.test.mjs files"),
    // First run installs vite/webpack/esbuild from the registry; later runs reuse them.
    run: () => nodeTest(testFiles("consumers"), 300_000),
    parse: parseTap,
  },
];

const results = [];

function summary() {
  console.log("\n== summary ==");
  let passed = 0;
  let failed = 0;
  if (results.some((x) => x.name === "build")) {
    failed += 1;
    console.log(`${"setup + build".padEnd(30)} failed`);
  }
  for (const l of layers) {
    const r = results.find((x) => x.name === l.name);
    let line;
    if (!r) line = "not run";
    else if (r.skipped) line = `skipped: ${r.skipped}`;
    else {
      passed += r.passed;
      failed += r.failed;
      line = `${r.passed} passed, ${r.failed} failed` + (r.ignored ? `, ${r.ignored} ignored/skipped` : "");
      line += ` in ${r.secs}s` + (r.code ? ` (exit code ${r.code})` : "");
    }
    console.log(`${l.title.padEnd(30)} ${line}`);
  }
  console.log(`${passed} passed, ${failed} failed`);
}

async function main() {
  const t0 = Date.now();
  try {
    if (!flag("--no-setup")) setup({ browser: true });
    if (!flag("--no-build")) await build();
  } catch (e) {
    console.error(`\ntest: ${e.message}`);
    results.push({ name: "build", passed: 0, failed: 1 });
    summary();
    return 1;
  }

  for (const l of layers) {
    if (onlyArg && !onlyArg.has(l.name)) continue;
    const why = l.skip?.call(l);
    if (why) {
      console.log(`\n== ${l.title}: skipped (${why}) ==`);
      results.push({ name: l.name, skipped: why });
      continue;
    }
    console.log(`\n== ${l.title} ==`);
    const s = Date.now();
    const { code, out } = await l.run.call(l);
    const r = l.parse(out);
    // A compile error or a crashed runner reports no failing test; count it as one.
    const failed = code !== 0 && r.failed === 0 ? 1 : r.failed;
    results.push({
      name: l.name,
      passed: r.passed,
      failed,
      ignored: r.skipped,
      code,
      secs: ((Date.now() - s) / 1000).toFixed(1),
    });
    if (code !== 0 || failed) {
      const later = layers.slice(layers.indexOf(l) + 1).some((x) => !onlyArg || onlyArg.has(x.name));
      console.error(`\ntest: ${l.title} failed${later ? "; later layers not run" : ""}`);
      summary();
      return 1;
    }
  }
  console.log(`\n(all layers done in ${((Date.now() - t0) / 1000).toFixed(0)}s)`);
  summary();
  return 0;
}

process.exitCode = await main();
