#!/usr/bin/env node
// Makes a fresh clone buildable: npm devDependencies, the wasm32 Rust target,
// the wasm-bindgen CLI matching Cargo.toml, and (only when asked) Debian's
// Chromium + chromedriver for the browser tests. Every step checks first, so a
// second run is a handful of cheap probes.
//
// Only node builtins are imported here: this file runs before node_modules
// exists.
//
//   node scripts/setup.mjs             # npm, rust target, wasm-bindgen
//   node scripts/setup.mjs --browser   # ... and chromium + chromedriver

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");

export const CHROMIUM = "/usr/bin/chromium";
export const CHROMEDRIVER = "/usr/bin/chromedriver";

/** Runs a command with inherited stdio; throws with the command line on failure. */
export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: "inherit", cwd: root, ...opts });
  if (r.error) throw new Error(`${cmd} could not start: ${r.error.message}`);
  if (r.status !== 0) {
    const how = r.signal ? `signal ${r.signal}` : `exit code ${r.status}`;
    throw new Error(`\`${[cmd, ...args].join(" ")}\` failed (${how})`);
  }
}

/** Runs a command quietly and returns its stdout, or null if it failed or is missing. */
export function probe(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", cwd: root, ...opts });
  return r.status === 0 ? r.stdout : null;
}

/** The version pinned by `wasm-bindgen = "=X"` in Cargo.toml (the one place it lives). */
export function wasmBindgenVersion() {
  const toml = readFileSync(join(root, "Cargo.toml"), "utf8");
  const m = toml.match(/^\s*wasm-bindgen\s*=\s*(?:"=?([^"]+)"|\{[^}]*version\s*=\s*"=?([^"]+)")/m);
  const v = m && (m[1] || m[2]);
  if (!v) throw new Error('Cargo.toml has no `wasm-bindgen = "=X.Y.Z"` dependency line');
  return v.trim();
}

/** `[package] version` from Cargo.toml. */
export function cargoVersion() {
  const toml = readFileSync(join(root, "Cargo.toml"), "utf8");
  const pkg = toml.split(/^\[/m).find((s) => s.startsWith("package]"));
  const m = pkg && pkg.match(/^\s*version\s*=\s*"([^"]+)"/m);
  if (!m) throw new Error("Cargo.toml has no [package] version");
  return m[1];
}

const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : -1);

function step(name, fn) {
  const t0 = Date.now();
  const note = fn();
  console.log(`setup: ${name.padEnd(20)} ${note} (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
}

function npmDeps() {
  const lock = join(root, "package-lock.json");
  const installed = join(root, "node_modules", ".package-lock.json");
  const pkg = join(root, "package.json");
  if (existsSync(installed) && mtime(installed) >= mtime(lock) && mtime(installed) >= mtime(pkg)) {
    return "up to date";
  }
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const common = ["--no-audit", "--no-fund", "--loglevel=error"];
  if (existsSync(lock)) {
    run(npm, ["ci", ...common]);
    return "installed (npm ci)";
  }
  run(npm, ["install", ...common]);
  return "installed (npm install)";
}

function rustTarget() {
  const target = "wasm32-unknown-unknown";
  const list = probe("rustup", ["target", "list", "--installed"]);
  if (list === null) {
    // No rustup: accept a toolchain that already ships the target's std.
    const sysroot = probe("rustc", ["--print", "sysroot"]);
    if (sysroot && existsSync(join(sysroot.trim(), "lib", "rustlib", target))) return "present";
    throw new Error(`rustup not found and the Rust toolchain lacks ${target}; install rustup`);
  }
  if (list.split(/\s+/).includes(target)) return "present";
  run("rustup", ["target", "add", target]);
  return "added";
}

function wasmBindgen() {
  const want = wasmBindgenVersion();
  const have = probe("wasm-bindgen", ["--version"]);
  const runner = probe("wasm-bindgen-test-runner", ["--version"]);
  if (have && have.includes(want) && runner && runner.includes(want)) return `${want} present`;
  // No --locked: the CLI's own lockfile pins crates that no longer build on
  // current toolchains; the exact version pin is what matters here.
  run("cargo", ["install", "wasm-bindgen-cli", "--version", `=${want}`, "--force"]);
  const now = probe("wasm-bindgen", ["--version"]);
  if (!now || !now.includes(want)) {
    throw new Error(
      `installed wasm-bindgen-cli ${want} but \`wasm-bindgen --version\` says ${JSON.stringify(now)}; ` +
        "is ~/.cargo/bin on PATH ahead of another wasm-bindgen?",
    );
  }
  return `${want} installed`;
}

function browser() {
  if (existsSync(CHROMIUM) && existsSync(CHROMEDRIVER)) return "present";
  const sudo = process.getuid && process.getuid() !== 0 ? ["sudo", "-n"] : [];
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const apt = (args) => (sudo.length ? run(sudo[0], [...sudo.slice(1), "apt-get", ...args], { env }) : run("apt-get", args, { env }));
  apt(["update", "-q"]);
  apt(["install", "-y", "-q", "--no-install-recommends", "chromium", "chromium-driver"]);
  if (!existsSync(CHROMIUM) || !existsSync(CHROMEDRIVER)) {
    throw new Error(`apt installed chromium, chromium-driver but ${CHROMIUM} or ${CHROMEDRIVER} is still missing`);
  }
  return "installed (apt)";
}

export const POSTGRES_BIN = "/usr/lib/postgresql/15/bin";

/** Debian's PostgreSQL 15: the ledger's tests start a private cluster with it. */
function postgres() {
  if (existsSync(join(POSTGRES_BIN, "initdb")) && existsSync(join(POSTGRES_BIN, "pg_ctl"))) return "present";
  const sudo = process.getuid && process.getuid() !== 0 ? ["sudo", "-n"] : [];
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const apt = (args) => (sudo.length ? run(sudo[0], [...sudo.slice(1), "apt-get", ...args], { env }) : run("apt-get", args, { env }));
  apt(["update", "-q"]);
  apt(["install", "-y", "-q", "--no-install-recommends", "postgresql"]);
  if (!existsSync(join(POSTGRES_BIN, "initdb"))) {
    throw new Error(`apt installed postgresql but ${POSTGRES_BIN}/initdb is still missing`);
  }
  return "installed (apt)";
}

/**
 * @param {{browser?: boolean}} [opts] browser: also make sure Debian's chromium
 *   and chromedriver are installed (tests need them; `npm start` does not).
 */
export function setup({ browser: wantBrowser = false } = {}) {
  step("npm packages", npmDeps);
  step("rust wasm32 target", rustTarget);
  step("wasm-bindgen-cli", wasmBindgen);
  if (wantBrowser) {
    step("chromium", browser);
    step("postgresql", postgres);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    setup({ browser: process.argv.includes("--browser") });
  } catch (e) {
    console.error(`setup: ${e.message}`);
    process.exit(1);
  }
}
