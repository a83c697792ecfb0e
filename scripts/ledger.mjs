// The consent ledger for the demo and the e2e tests: builds and starts
// consentry-server on SQLite (127.0.0.1, a free port), and serves the demo
// pages with an inline config whose [ledger] endpoint points at it.
//
//   import { startLedger, withConfig } from "./scripts/ledger.mjs";
//   const ledger = await startLedger({ origin: "http://127.0.0.1:8080" });
//   await serve({ onRequest: withConfig(ledger.configText) });
//
// Node builtins at top level; smol-toml is imported after setup ran.

import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const SERVER_BIN = join(ROOT, "target", "debug", "consentry-server");

/** Builds the server (a debug build: quick to rebuild, plenty for a demo). */
export function buildServer() {
  const r = spawnSync("cargo", ["build", "-q", "-p", "consentry-server"], { cwd: ROOT, stdio: "inherit" });
  if (r.status !== 0) throw new Error("cargo build -p consentry-server failed");
}

/** categories.toml as JSON, with a [ledger] table for a server on `port`. */
export async function demoConfig({ port, origins, database }) {
  const { parse } = await import("smol-toml");
  const config = parse(readFileSync(join(ROOT, "categories.toml"), "utf8"));
  config.ledger = {
    endpoint: `http://127.0.0.1:${port}/consent/events`,
    database,
    listen: `127.0.0.1:${port}`,
    allowed_origins: origins,
  };
  return JSON.stringify(config, null, 2);
}

/**
 * Starts consentry-server. `origin`: the demo page's origin (allowed by
 * CORS). Resolves to { url, port, configText, configPath, database, stop }.
 */
export async function startLedger({ origins = [], dir = join(ROOT, ".tmp", "ledger"), port = 0, database, build = true, env = {} } = {}) {
  if (build) buildServer();
  mkdirSync(dir, { recursive: true });
  if (!port) port = await freePort();
  database ??= `sqlite://${join(dir, "demo-ledger.db")}`;
  const configText = await demoConfig({ port, origins, database });
  const configPath = join(dir, `config-${port}.json`);
  writeFileSync(configPath, configText);
  const child = spawn(SERVER_BIN, ["--config", configPath], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? "warn", ...env },
  });
  const url = await new Promise((ok, fail) => {
    const lines = createInterface({ input: child.stdout });
    lines.once("line", (l) => (l.startsWith("listening on ") ? ok(l.slice(13).trim()) : fail(new Error(`consentry-server: ${l}`))));
    child.once("exit", (code) => fail(new Error(`consentry-server exited with ${code}`)));
  });
  const stop = () =>
    new Promise((done) => {
      if (child.exitCode !== null) return done();
      child.once("exit", () => done());
      child.kill("SIGKILL");
    });
  return { url, port, configText, configPath, database, child, stop };
}

/** A free TCP port on 127.0.0.1. */
export async function freePort() {
  const { createServer } = await import("node:net");
  return new Promise((ok) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/**
 * An onRequest hook for scripts/serve.mjs: HTML pages get `configText` as
 * their #consentry-config, so the page runs with the ledger on.
 */
export function withConfig(configText, render) {
  const inline = `<script type="application/json" id="consentry-config">${configText.replace(/</g, "\\u003c")}</script>`;
  return async (req, res, { file }) => {
    if (!file || !file.endsWith(".html") || req.method !== "GET") return false;
    const html = readFileSync(file, "utf8");
    const at = html.indexOf("<script");
    let out = at < 0 ? html.replace("</head>", inline + "</head>") : html.slice(0, at) + inline + "\n  " + html.slice(at);
    // The demo server-renders the first layer for the config it injected.
    if (render) out = await render(out, req);
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end(out);
    return true;
  };
}
