// Shared helpers for the end-to-end tests: Debian's Chromium through
// playwright-core, the demo server on a free port, and a tracker that answers
// every third-party request locally and remembers it.
//
//   const browser = await launch();
//   const server = await startServer();
//   const t = await freshPage(browser, server);       // new context, new page
//   await t.goto("/");                                // waits for Consentry.ready
//   assert.equal(t.thirdParty.count(), 0);
//   t.assertNoErrors();
//   await t.close();

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { serve } from "../../scripts/serve.mjs";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Hosts that count as ours; everything else is third-party. */
export const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** Where the demo keeps its local stand-ins for trackers. */
export const THIRD_PARTY_PREFIX = "/third-party/";

/**
 * Launches headless Chromium. Playwright gives it a throwaway profile.
 * @param {{args?: string[]} & import("playwright-core").LaunchOptions} [opts]
 *   args are added to CHROMIUM_ARGS, e.g. ["--host-resolver-rules=MAP * 127.0.0.1"]
 */
export function launch({ args = [], ...opts } = {}) {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: run \`node scripts/setup.mjs --browser\` (apt chromium chromium-driver)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, ...args],
    ...opts,
  });
}

/**
 * Serves www/ and dist/ on 127.0.0.1 at a free port (see scripts/serve.mjs for
 * options: mounts, onRequest for extra headers such as a CSP).
 * @returns {Promise<{url: string, port: number, close: () => Promise<void>}>}
 */
export function startServer(opts = {}) {
  // CONSENTRY_DIST points the suite at another build (e.g. an unpacked tarball's dist/).
  const dist = opts.dist ?? process.env.CONSENTRY_DIST ?? join(ROOT, "dist");
  if (!existsSync(join(dist, "consentry.js"))) {
    throw new Error(`${dist}/consentry.js is missing: run \`npm run build\` first (\`npm test\` builds)`);
  }
  return serve({ port: 0, host: "127.0.0.1", ...opts, dist });
}

const GIF_1x1 = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");

function stubFor(request) {
  const type = request.resourceType();
  const path = new URL(request.url()).pathname;
  const cors = { "Access-Control-Allow-Origin": "*", "Cache-Control": "no-store" };
  if (type === "script" || /\.m?js$/.test(path)) {
    return { status: 200, headers: { ...cors, "Content-Type": "text/javascript" }, body: "/* stub */" };
  }
  if (type === "image" || /\.(gif|png|jpe?g|webp|svg|ico)$/.test(path)) {
    return { status: 200, headers: { ...cors, "Content-Type": "image/gif" }, body: GIF_1x1 };
  }
  if (type === "document") {
    return {
      status: 200,
      headers: { ...cors, "Content-Type": "text/html; charset=utf-8" },
      body: "<!doctype html><html lang=en><title>third-party stub</title><p>third-party stub</p></html>",
    };
  }
  if (type === "stylesheet") {
    return { status: 200, headers: { ...cors, "Content-Type": "text/css" }, body: "/* stub */" };
  }
  return { status: 204, headers: cors };
}

/** A filter for count(): a substring of the URL, a RegExp, or a predicate on the record. */
function matcher(filter) {
  if (filter === undefined || filter === null) return () => true;
  if (typeof filter === "string") return (r) => r.url.includes(filter);
  if (filter instanceof RegExp) return (r) => filter.test(r.url);
  if (typeof filter === "function") return filter;
  throw new TypeError("count(filter): filter must be a string, RegExp or function");
}

/**
 * Routes every request of the context. Requests to a host other than ours are
 * answered here (JS: a stub comment, images: a 1x1 gif, documents: a small
 * page, anything else: 204) and never leave the machine; requests under
 * /third-party/ on our own server go through to the demo's stand-ins. Both
 * kinds are recorded in order.
 *
 * @param {import("playwright-core").BrowserContext} context
 * @returns {Promise<{requests: {url: string, type: string, time: number, seq: number, local: boolean}[],
 *                    count: (filter?: string | RegExp | ((r: object) => boolean)) => number,
 *                    urls: (filter?: string | RegExp | ((r: object) => boolean)) => string[]}>}
 */
export async function trackThirdParty(context) {
  const requests = [];
  await context.route("**/*", async (route) => {
    const request = route.request();
    let url;
    try {
      url = new URL(request.url());
    } catch {
      return route.fallback();
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") return route.fallback();
    const local = LOCAL_HOSTS.has(url.hostname);
    if (local && !url.pathname.startsWith(THIRD_PARTY_PREFIX)) return route.fallback();
    requests.push({ url: request.url(), type: request.resourceType(), time: Date.now(), seq: requests.length, local });
    if (local) return route.fallback();
    return route.fulfill(stubFor(request));
  });
  return {
    requests,
    count: (filter) => requests.filter(matcher(filter)).length,
    urls: (filter) => requests.filter(matcher(filter)).map((r) => r.url),
  };
}

/** The consent cookie (default name `consentry`) of a context, or undefined. */
export async function consentCookie(context, name = "consentry") {
  return (await context.cookies()).find((c) => c.name === name);
}

/** Resolves once `window.Consentry.ready` has resolved on the page. */
export async function waitReady(page, { timeout = 10_000 } = {}) {
  await page.waitForFunction(() => typeof window.Consentry?.ready?.then === "function", null, { timeout });
  await page.evaluate(() => window.Consentry.ready);
}

/** The focused element, looking into (open) shadow roots and same-origin frames' hosts. */
export function deepActive(page) {
  return page.evaluate(() => {
    let el = document.activeElement;
    while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
    if (!el) return null;
    return {
      tag: el.tagName.toLowerCase(),
      action: el.getAttribute("data-consentry-action"),
      category: el.getAttribute("data-consentry-category"),
      text: (el.textContent || "").trim().slice(0, 60),
    };
  });
}

/** Presses Tab until the focused element has data-consentry-action=ACTION; returns the presses needed. */
export async function tabTo(page, action, { max = 80 } = {}) {
  for (let i = 1; i <= max; i++) {
    await page.keyboard.press("Tab");
    const a = await deepActive(page);
    if (a && a.action === action) return i;
  }
  throw new Error(`Tab did not reach [data-consentry-action="${action}"] within ${max} presses`);
}

/** Reads categories.toml's cookie max_age_days (CONTRACT §6 default: 182). */
export function configuredMaxAgeDays() {
  const file = join(ROOT, "categories.toml");
  if (!existsSync(file)) return 182;
  const toml = readFileSync(file, "utf8");
  const cookie = toml.split(/^\s*\[/m).find((s) => /^cookie\]/.test(s));
  const m = cookie && cookie.match(/^\s*max_age_days\s*=\s*(\d+)/m);
  return m ? Number(m[1]) : 182;
}

/**
 * A new browser context (no cookies, no storage) with third-party tracking,
 * one page, and error collection: uncaught page errors and console errors
 * (a missing favicon excepted) end up in `errors`.
 *
 * @param {import("playwright-core").Browser} browser
 * @param {{url: string}} server from startServer()
 * @param {{contextOptions?: import("playwright-core").BrowserContextOptions, track?: boolean}} [opts]
 */
export async function freshPage(browser, server, { contextOptions = {}, track = true } = {}) {
  const context = await browser.newContext(contextOptions);
  context.setDefaultTimeout(10_000);
  const thirdParty = track ? await trackThirdParty(context) : null;
  const page = await context.newPage();
  const pageErrors = [];
  const consoleErrors = [];
  page.on("pageerror", (e) => pageErrors.push(`pageerror: ${e && e.stack ? e.stack : e}`));
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    const where = msg.location()?.url ?? "";
    if (/\/favicon\.ico$/.test(where)) return;
    consoleErrors.push(`console.error: ${msg.text()}${where ? ` (${where})` : ""}`);
  });
  const t = {
    context,
    page,
    thirdParty,
    pageErrors,
    consoleErrors,
    /** Every page error and console error so far. */
    get errors() {
      return [...pageErrors, ...consoleErrors];
    },
    /** Absolute URL on the test server. */
    url: (path = "/") => new URL(path, server.url).href,
    /** Navigates and (unless ready: false) waits for Consentry.ready. */
    async goto(path = "/", { ready = true } = {}) {
      const res = await page.goto(t.url(path), { waitUntil: "load" });
      assert.ok(res && res.ok(), `GET ${path} answered ${res && res.status()}`);
      if (ready) await waitReady(page);
      return res;
    },
    async reload({ ready = true } = {}) {
      await page.reload({ waitUntil: "load" });
      if (ready) await waitReady(page);
    },
    assertNoErrors() {
      assert.deepEqual(t.errors, [], "the page logged errors");
    },
    close: () => context.close(),
  };
  return t;
}

/** Sleeps; used to give would-be trackers time to fire before asserting none did. */
export const settle = (ms = 500) => new Promise((r) => setTimeout(r, ms));
