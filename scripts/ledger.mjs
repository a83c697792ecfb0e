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
export async function demoConfig({ port, origins, database, redirectHosts = [] }) {
  const { parse } = await import("smol-toml");
  const config = parse(readFileSync(join(ROOT, "categories.toml"), "utf8"));
  config.ledger = {
    endpoint: `http://127.0.0.1:${port}/consent/events`,
    database,
    listen: `127.0.0.1:${port}`,
    allowed_origins: origins,
    ...(redirectHosts.length ? { redirect_hosts: redirectHosts } : {}),
  };
  return JSON.stringify(config, null, 2);
}

/**
 * Starts consentry-server. `origin`: the demo page's origin (allowed by
 * CORS). Resolves to { url, port, configText, configPath, database, stop }.
 */
export async function startLedger({ origins = [], dir = join(ROOT, ".tmp", "ledger"), port = 0, database, build = true, env = {}, redirectHosts } = {}) {
  if (build) buildServer();
  mkdirSync(dir, { recursive: true });
  if (!port) port = await freePort();
  database ??= `sqlite://${join(dir, "demo-ledger.db")}`;
  const configText = await demoConfig({ port, origins, database, redirectHosts });
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
  return { url, port, configText, configPath, database, child, stop, env };
}

/** An account token minted by `consentry-server token` with the ledger's secret. */
export function mintToken(ledger, account, ttl = 7 * 86400) {
  const r = spawnSync(SERVER_BIN, ["--config", ledger.configPath, "--log", "warn", "token", "--account", account, "--ttl", String(ttl)], {
    cwd: ROOT,
    env: { ...process.env, ...ledger.env },
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`consentry-server token: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/**
 * Stores a decision for the account `token` names, as a browser would send
 * it (English, the ledger's own config): `choices` sets optional categories,
 * the rest are refused.
 */
export async function seedDecision(ledger, token, choices = {}) {
  const { createHash, randomBytes } = await import("node:crypto");
  const config = JSON.parse(ledger.configText);
  const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const categories = Object.fromEntries(config.categories.map((c) => [c.id, c.required === true || choices[c.id] === true]));
  const record = { id: randomBytes(12).toString("base64url"), revision: config.revision ?? 1, given: now, updated: now, method: "custom", categories };
  const receipt = {
    event_id: randomBytes(16).toString("base64url"),
    kind: "decision",
    record,
    config_hash: createHash("sha256").update(`consentry-config-v1\nen\n${JSON.stringify(config)}`).digest("hex"),
    gpc: false,
    page: "http://127.0.0.1/seed",
    sent: now,
    account: token,
  };
  const res = await fetch(`${ledger.url}/consent/events`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(receipt) });
  if (res.status !== 202) throw new Error(`seeding a decision: ${res.status} ${await res.text()}`);
}

/**
 * The demo's sample marketing email (www/email.html): its pixels and link
 * point at the ledger with the signed-in demo visitor's token and with the
 * token of an account that refused marketing. `/demo/campaigns` shows the
 * consented counts (the admin endpoint, read with the demo's admin token).
 */
export function demoEmail({ ledger, you, declined, adminToken, site }) {
  return async (req, res, { pathname }) => {
    if (pathname === "/demo/campaigns") {
      const r = await fetch(`${ledger.url}/admin/campaigns`, { headers: { Authorization: `Bearer ${adminToken}` } });
      res.writeHead(r.status, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" });
      res.end(await r.text());
      return true;
    }
    if (pathname !== "/email.html" && pathname !== "/email") return false;
    const px = (t) => `${ledger.url}/px/spring-demo/${encodeURIComponent(t)}.gif`;
    const link = `${ledger.url}/r/spring-demo/${encodeURIComponent(you)}?to=${encodeURIComponent(`${site}/?from=email`)}`;
    const html = readFileSync(join(ROOT, "www", "email.html"), "utf8")
      .replace(/<p class="demo-off"[^]*?<\/p>\s*/, "")
      .replaceAll("about:blank#pixel-you", px(you))
      .replaceAll("about:blank#pixel-declined", px(declined))
      .replaceAll("about:blank#link-you", link)
      .replaceAll("{{LEDGER}}", ledger.url);
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
    res.end(html);
    return true;
  };
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
