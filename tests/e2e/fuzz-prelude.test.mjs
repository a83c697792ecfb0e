// Differential fuzzing of the prelude (issue 14): its host matcher against
// the URL parser (Node's WHATWG URL, the same spec Chromium follows, and
// Chromium's own requests), and its cookie guard against what Chromium's
// real document.cookie does with the same write.
//
// Bounded and seeded, so `npm test` runs the same cases every time:
//   FUZZ_SEED=1234 FUZZ_RUNS=5000 npm test -- --only e2e tests/e2e/fuzz-prelude.test.mjs
// runs longer (FUZZ_RUNS cases per target; the seed is printed on failure).
//
// The page holds only the prelude (no core, so no decision ever comes):
// every optional category is refused, every listed host must wait.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parse } from "smol-toml";
import { preludeConfig } from "../../scripts/build.mjs";
import { LOCAL_HOSTS, ROOT, freshPage, launch, startServer } from "./harness.mjs";

const SEED = Number(process.env.FUZZ_SEED ?? 20261207) >>> 0;
const RUNS = Number(process.env.FUZZ_RUNS ?? 0);
const URL_CASES = RUNS || 600;
const COOKIE_CASES = RUNS || 150;
// The long mode may take minutes: no per-test timeout then.
const LONG = RUNS ? { timeout: Infinity } : {};

const config = preludeConfig(parse(readFileSync(join(ROOT, "categories.toml"), "utf8")));
const PATTERNS = config.categories.flatMap((c) => c.hosts ?? []);
const COOKIES = config.categories.flatMap((c) => c.cookies ?? []);

/** The reference matcher, written apart from the prelude's: CSP-style host patterns. */
const listed = (host) =>
  host != null &&
  PATTERNS.some((p) => {
    const h = host.replace(/\.+$/, "");
    return p.startsWith("*.") ? h.endsWith(p.slice(1)) : h === p;
  });
const declared = (name) => COOKIES.some((g) => RegExp(`^${g.replace(/\W/g, "\\$&").replace(/\\\*/g, ".*")}$`).test(name));

/** mulberry32: small, seeded, good enough to spread cases. */
function rng(seed) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(next() * n);
  return { next, int, pick: (xs) => xs[int(xs.length)], chance: (p) => next() < p };
}

let browser;
let server;
before(async () => {
  [browser, server] = await Promise.all([launch(), startServer()]);
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/** A visitor on a page with the prelude alone; t.hits records third-party requests. */
async function preludeOnly(init) {
  const t = await freshPage(browser, server);
  t.hits = [];
  await t.context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (!LOCAL_HOSTS.has(url.hostname) && /^https?:$/.test(url.protocol)) t.hits.push(route.request().url());
    return route.fallback();
  });
  await t.context.route(
    (u) => u.pathname === "/f/page.html",
    (route) =>
      route.fulfill({
        status: 200,
        headers: { "Content-Type": "text/html; charset=utf-8" },
        body: '<!doctype html><html lang="en"><head><meta charset="utf-8"><script src="/assets/consentry/consentry-prelude.js"></script><title>fuzz</title></head><body></body></html>',
      }),
  );
  if (init) await t.page.addInitScript(init);
  await t.goto("/f/page.html", { ready: false });
  return t;
}

// ---------------------------------------------------------------------------
// Hosts

const BASE_HOSTS = [
  ...PATTERNS.map((p) => (p.startsWith("*.") ? `x${p.slice(1)}` : p)),
  ...PATTERNS.map((p) => p.replace(/^\*\./, "")),
  "facebook.com",
  "evilwww.facebook.com",
  "www.facebook.com.evil.test",
  "www.facebook.co",
  "www.googletagmanager.com.example",
  "a.b.doubleclick.net",
  "doubleclick.net.example",
  "cdn.example.com",
];
const SCHEMES = ["https://", "http://", "HTTPS://", "hTtP://", "https:\\\\", "//", "https:/", "https:///", " https://", "\thttps://", "https:\\/"];
const TAILS = ["/tr?id=1", "", "/", "?q=1", "#f", "/a/b.js", ":443/x", ":8080/x", "./x", "\\x"];
const DOTS = [".", "%2E", "%2e", "\uFF0E", "\u3002", "\uFF61"];

/** One URL spelling: a host, mangled the ways the URL parser forgives (or does not). */
function spelling(r) {
  let h = r.pick(BASE_HOSTS);
  const ops = r.int(4);
  for (let i = 0; i < ops; i++) {
    const at = r.int(h.length + 1);
    switch (r.int(9)) {
      case 0: // case
        h = [...h].map((c) => (r.chance(0.5) ? c.toUpperCase() : c)).join("");
        break;
      case 1: {
        // a dot spelled another way
        const dots = [...h.matchAll(/\./g)];
        if (dots.length) {
          const d = r.pick(dots).index;
          h = h.slice(0, d) + r.pick(DOTS) + h.slice(d + 1);
        }
        break;
      }
      case 2: // ASCII tab or newline, which the URL parser strips
        h = h.slice(0, at) + r.pick(["\t", "\n", "\r"]) + h.slice(at);
        break;
      case 3: // trailing dots
        h += r.pick([".", ".."]);
        break;
      case 4: {
        // a letter percent-encoded
        const i2 = r.int(h.length);
        if (/[a-z]/i.test(h[i2])) h = h.slice(0, i2) + "%" + h.charCodeAt(i2).toString(16).toUpperCase() + h.slice(i2 + 1);
        break;
      }
      case 5: // userinfo
        h = r.pick(["user@", "u:p@", "www.facebook.com@", "@"]) + h;
        break;
      case 6: // soft hyphen or zero-width characters, which IDNA maps away (or refuses)
        h = h.slice(0, at) + r.pick(["\u00AD", "\u200B", "\u200D"]) + h.slice(at);
        break;
      case 7: // a full-width letter
        h = h.replace(/[a-z]/, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
        break;
      default: // a port
        h += r.pick([":443", ":80", ":", ":0443"]);
    }
  }
  return r.pick(SCHEMES) + h + r.pick(TAILS);
}

/** The markup form of a URL: random characters as character references. */
function attr(r, u) {
  return [...u]
    .map((c) => (c === '"' || c === "&" || c === "<" || r.chance(0.15) ? `&#${r.chance(0.5) ? c.codePointAt(0) : "x" + c.codePointAt(0).toString(16)};` : c))
    .join("");
}

describe("fuzz: the prelude's host matcher against the URL parser", () => {
  test(`${URL_CASES} spellings (seed ${SEED}): held exactly when the parsed host is listed; no request to a listed host`, LONG, async (ctx) => {
    const t = await preludeOnly();
    try {
      const r = rng(SEED);
      const cases = [];
      for (let i = 0; i < URL_CASES; i++) {
        const u = spelling(r);
        cases.push({ u, how: r.pick(["property", "attribute", "markup"]), html: attr(r, u) });
      }
      const base = t.url("/f/page.html");
      const seen = await t.page.evaluate((cases) => {
        const box = document.body.appendChild(document.createElement("div"));
        return cases.map(({ u, how, html }) => {
          let host = null;
          try {
            host = new URL(u, document.baseURI).hostname;
          } catch {}
          let img;
          if (how === "markup") {
            box.innerHTML = `<img alt="" src="${html}">`;
            img = box.firstChild;
          } else {
            img = new Image();
            how === "property" ? (img.src = u) : img.setAttribute("src", u);
          }
          return { host, held: !img.hasAttribute("src") };
        });
      }, cases);
      await new Promise((ok) => setTimeout(ok, 300));
      let disagree = 0;
      const wrong = [];
      cases.forEach((c, i) => {
        let host = null;
        try {
          host = new URL(c.u, base).hostname;
        } catch {}
        if (host !== seen[i].host) disagree++;
        // Chromium's own parse decides what it would fetch; Node's must agree
        // wherever both parse alike.
        const expect = listed(seen[i].host);
        if (seen[i].held !== expect || (host === seen[i].host && listed(host) !== expect)) {
          wrong.push({ u: c.u, how: c.how, chromium: seen[i].host, node: host, held: seen[i].held });
        }
      });
      ctx.diagnostic(`seed ${SEED}: ${cases.length} spellings, ${cases.filter((_, i) => seen[i].held).length} held, Node and Chromium parse ${disagree} differently`);
      assert.deepEqual(wrong.slice(0, 5), [], `seed ${SEED}: the prelude's verdict differs from the URL parser's host`);
      const leaked = t.hits.filter((u) => listed(new URL(u).hostname));
      assert.deepEqual(leaked, [], `seed ${SEED}: requests reached a listed host`);
    } finally {
      await t.close();
    }
  });
});

// ---------------------------------------------------------------------------
// Cookies

const NAMES = ["_ga", "_ga_X1", "_gid", "_fbp", "_gcl_au", "own", "_gax", "ga", "_GA", "_fbp2"];
const PAD = ["", " ", "\t", "  \t"];
const NUMBERS = ["0", "00", "-0", "-1", "-0999", "1", "09", "0999999", "+5", "1e9", "5x", "", " 100", "99999999999999999999", "-99999999999999999999", "0x10", "٣"];
const DATES = [
  "Thu, 01 Jan 1970 00:00:00 GMT",
  "Thu, 01-Jan-1970 00:00:01 GMT",
  "Wed, 09 Jun 2100 10:18:14 GMT",
  "1",
  "Jan 1 99",
  "01 Jan 70 00:00:00",
  "Fri, 31 Dec 1999 23:59:59 GMT",
  "Sat, 01 Jan 2050 00:00:00",
  "2050-01-01T00:00:00Z",
  "tomorrow",
  "Thu, 01 Jan 1970 00:00:00 GMT+0100",
  "",
];

/** One document.cookie write: a name, maybe a value, then attributes in any case and order. */
function write(r) {
  const name = r.pick(NAMES);
  let s = r.chance(0.05) ? r.pick(PAD) + name : `${r.pick(PAD)}${name}${r.pick(PAD)}=${r.pick(PAD)}${r.chance(0.3) ? "" : "v" + r.int(1000)}`;
  const n = r.int(5);
  for (let i = 0; i < n; i++) {
    const key = (k) => [...k].map((c) => (r.chance(0.3) ? c.toUpperCase() : c)).join("");
    const a = r.int(8);
    const v =
      a < 3
        ? `${key("max-age")}${r.pick(PAD)}=${r.pick(PAD)}${r.pick(NUMBERS)}`
        : a < 5
          ? `${key("expires")}=${r.pick(DATES)}`
          : a === 5
            ? `${key("path")}=${r.pick(["/", "/other", "", "x", "/f"])}`
            : a === 6
              ? r.pick(["secure", "httponly", "samesite=lax", "samesite=none", "partitioned", "domain=127.0.0.1", "domain=example.com", "domain="])
              : r.pick(["max-age", "expires", "=", "", "foo=bar"]);
    s += `;${r.pick(PAD)}${v}`;
  }
  return s;
}

describe("fuzz: the prelude's cookie guard against Chromium's document.cookie", () => {
  test(`${COOKIE_CASES} writes (seed ${SEED}): a declared cookie is never written or kept alive; everything else does what the browser does`, LONG, async (ctx) => {
    // The browser's own setter, taken before the prelude wraps it.
    const t = await preludeOnly(() => {
      const set = Object.getOwnPropertyDescriptor(Document.prototype, "cookie").set;
      window.__native = (v) => set.call(document, v);
    });
    try {
      const r = rng(SEED ^ 0x5eed);
      const key = (c) => `${c.name}=${c.value}; domain=${c.domain}; path=${c.path}`;
      const jar = async () => (await t.context.cookies()).map(key).sort();
      const wrong = [];
      let refused = 0;
      for (let i = 0; i < COOKIE_CASES; i++) {
        const w = write(r);
        const old = r.chance(0.6) ? [{ name: r.pick(NAMES.slice(0, 5)), value: "old", url: t.url("/") }] : [];
        const reset = async () => {
          await t.context.clearCookies();
          if (old.length) await t.context.addCookies(old);
        };
        await reset();
        const before = await jar();
        await t.page.evaluate((w) => window.__native(w), w);
        const native = await jar();
        await reset();
        await t.page.evaluate((w) => {
          document.cookie = w;
        }, w);
        const guarded = await jar();
        // What the browser's write added or changed; if any of it is a
        // declared cookie, the guard refuses the whole write.
        const added = native.filter((c) => !before.includes(c));
        const refuse = added.some((c) => declared(c.split("=")[0]));
        if (refuse) refused++;
        const expect = refuse ? before : native;
        if (JSON.stringify(guarded) !== JSON.stringify(expect)) wrong.push({ write: w, before, native, guarded });
      }
      ctx.diagnostic(`seed ${SEED}: ${COOKIE_CASES} writes, ${refused} refused`);
      assert.deepEqual(wrong.slice(0, 3), [], `seed ${SEED}: the guard did not do what the browser would`);
    } finally {
      await t.close();
    }
  });
});
