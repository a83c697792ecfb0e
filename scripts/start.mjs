#!/usr/bin/env node
// `npm start`: install what is missing, build dist/, serve the demo with the
// consent ledger (consentry-server on SQLite, .tmp/ledger/demo-ledger.db).
//
//   npm start                    # http://127.0.0.1:8080/
//   npm start -- --port 3000     # or PORT=3000 npm start
//   npm start -- --debug         # debug build (no wasm-opt, unminified)
//   npm start -- --no-ledger     # the demo alone, no receipts
//
// Only node builtins at top level: this runs on a fresh clone.

import { randomBytes } from "node:crypto";
import { build } from "./build.mjs";
import { demoEmail, mintToken, seedDecision, startLedger, withConfig } from "./ledger.mjs";
import { portFromArgs, serve } from "./serve.mjs";
import { setup } from "./setup.mjs";
import { renderPage } from "./ssr.mjs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(fileURLToPath(import.meta.url), "..", "..");

try {
  const port = portFromArgs();
  setup({ browser: false });
  await build({ debug: process.argv.includes("--debug") });
  let ledger = null;
  let onRequest;
  const token = randomBytes(18).toString("base64url");
  // Every page arrives with its first layer server-rendered (scripts/ssr.mjs).
  const render = (html, req) => renderPage(html, req, join(ROOT, "dist"));
  if (!process.argv.includes("--no-ledger")) {
    const hosts = [`127.0.0.1:${port}`, `localhost:${port}`];
    ledger = await startLedger({
      origins: hosts.map((h) => `http://${h}`),
      redirectHosts: hosts,
      // A fresh account secret per run: the demo's tokens last as long as it does.
      env: { CONSENTRY_ADMIN_TOKEN: token, CONSENTRY_ACCOUNT_SECRET: randomBytes(32).toString("base64url") },
    });
    // The demo visitor is signed in: every page carries their account token,
    // so a choice made in one browser applies in every other one.
    const you = mintToken(ledger, "demo@example.com");
    const declined = mintToken(ledger, "declined@example.com");
    await seedDecision(ledger, declined, {});
    const config = JSON.parse(ledger.configText);
    config.ledger.account = you;
    const pages = withConfig(JSON.stringify(config, null, 2), render);
    const email = demoEmail({ ledger, you, declined, adminToken: token, site: `http://127.0.0.1:${port}` });
    onRequest = async (req, res, ctx) => (await email(req, res, ctx)) || pages(req, res, ctx);
  }
  const { url, close } = await serve({ port, ssr: true, onRequest });
  console.log(`\nconsentry demo: ${url}/`);
  if (ledger) {
    console.log(`consent ledger: ${ledger.url} (SQLite: ${ledger.database.replace(/^sqlite:\/\//, "")})`);
    console.log(`  your receipts: ${ledger.url}/consent/records/<receipt id shown in the dialog>`);
    console.log(`  dashboard:     curl -H 'Authorization: Bearer ${token}' ${ledger.url}/admin`);
    console.log(`  signed in as demo@example.com; a sample marketing email: ${url}/email`);
  }
  console.log("(Ctrl+C to stop)");
  const stop = () => Promise.all([close(), ledger?.stop()]).then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
} catch (e) {
  console.error(`start: ${e.message}`);
  process.exit(1);
}
