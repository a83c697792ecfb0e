// Shared by the dialog's e2e files (dialog*.test.mjs): selectors, the demo
// pages, fixtures and a `visit` that gives each test a fresh visitor. Split
// over several files so each stays well inside the runner's per-file timeout.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { AxeBuilder } from "@axe-core/playwright";
import { deepActive, freshPage, launch, ROOT, startServer } from "./harness.mjs";
import { override, pageVariant } from "../../scripts/screenshots.mjs";

export const BANNER = '[data-consentry="banner"]';
export const PREFERENCES = '[data-consentry="preferences"]';
export const PANEL = '[data-consentry="panel"]';
export const REOPEN = '[data-consentry="reopen"]';
export const action = (name) => `[data-consentry-action="${name}"]`;
export const INDEX = readFileSync(join(ROOT, "www", "index.html"), "utf8");
export const ACCOUNT = readFileSync(join(ROOT, "www", "account.html"), "utf8");
export const HOSTILE = readFileSync(join(ROOT, "tests", "e2e", "fixtures", "hostile.css"), "utf8");
export const SITE_CSS = readFileSync(join(ROOT, "www", "site.css"), "utf8");

let browser;
let server;

/** Starts the browser and the server for the importing test file. */
export function setUp() {
  before(async () => {
    [browser, server] = await Promise.all([launch(), startServer()]);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
}

/**
 * Runs body with a fresh visitor (reduced motion, so nothing is mid-animation
 * when measured); `pages` maps paths to HTML served instead of the files.
 */
export async function visit(body, { contextOptions = {}, pages = {}, css } = {}) {
  const t = await freshPage(browser, server, { contextOptions: { reducedMotion: "reduce", ...contextOptions } });
  try {
    for (const [path, html] of Object.entries(pages)) await override(t.context, t.url(path), html);
    if (css) await override(t.context, t.url("/site.css"), css, "text/css; charset=utf-8");
    await body(t);
    t.assertNoErrors();
  } finally {
    await t.close();
  }
}

export const where = (page) =>
  page.evaluate(() => {
    const a = document.activeElement;
    if (!a || a === document.body) return "body";
    if (a.closest('[data-consentry="preferences"]')) return "preferences";
    if (a.closest('[data-consentry="banner"]')) return "banner";
    if (a.closest('[data-consentry="reopen"]')) return "reopen";
    if (a.closest('[data-consentry="panel"]')) return "panel";
    return "page";
  });

/** Presses Tab until the focused element is the switch of `id`. */
export async function tabToSwitch(page, id, max = 40) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    if ((await deepActive(page))?.category === id) return;
  }
  throw new Error(`Tab did not reach the ${id} switch`);
}

const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

async function axe(page, selector) {
  const result = await new AxeBuilder({ page }).include(selector).withTags(AXE_TAGS).options({ resultTypes: ["violations"] }).analyze();
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")} (${v.help})`);
}

/**
 * axe-core on the banner, the preferences, the reopen control and the account
 * panel in `lang`, light and dark. One language per file: axe is slow, and
 * each file must finish inside the runner's per-file timeout.
 */
export function axeSuite(lang) {
  setUp();
  describe(`axe-core finds no WCAG 2.2 AA violations (${lang})`, () => {
    for (const colorScheme of ["light", "dark"]) {
      test(`banner, preferences, reopen and account panel (${lang}, ${colorScheme})`, async () => {
        const pages = lang === "en" ? {} : { "/": pageVariant(INDEX, { lang: "ru-RU" }), "/account": pageVariant(ACCOUNT, { lang: "ru" }) };
        await visit(
          async (t) => {
            const { page } = t;
            await t.goto("/");
            await page.locator(BANNER).waitFor({ state: "visible" });
            assert.equal(await page.locator(`${BANNER} ${action("accept-all")}`).textContent(), lang === "en" ? "Accept all" : "Принять все");
            assert.deepEqual(await axe(page, BANNER), [], "banner");
            await page.locator(`${BANNER} ${action("open-preferences")}`).click();
            await page.locator(PREFERENCES).waitFor({ state: "visible" });
            await page.locator(`${PREFERENCES} details summary`).first().click();
            assert.deepEqual(await axe(page, PREFERENCES), [], "preferences");
            await page.locator(`${PREFERENCES} ${action("reject-all")}`).click();
            assert.deepEqual(await axe(page, REOPEN), [], "reopen");

            await t.goto("/account");
            await page.locator(`${PANEL} [data-consentry="receipt"]`).waitFor();
            assert.deepEqual(await axe(page, PANEL), [], "account panel");
          },
          { contextOptions: { colorScheme }, pages },
        );
      });
    }

    test(`on a 320 px screen: nothing cut off, scrolling tables reachable (${lang})`, async () => {
      const pages = lang === "en" ? {} : { "/": pageVariant(INDEX, { lang: "ru-RU" }), "/account": pageVariant(ACCOUNT, { lang: "ru" }) };
      // Every label and "Always on" shown whole: no box narrower than its text.
      const cut = (page) =>
        page.evaluate(() =>
          [...document.querySelectorAll(".cst button, .cst-ph button, .cst .cst-always, .cst summary")]
            .filter((e) => e.getClientRects().length && e.scrollWidth > e.clientWidth + 1)
            .map((e) => `${e.textContent.trim()}: ${e.scrollWidth} > ${e.clientWidth}`),
        );
      await visit(
        async (t) => {
          const { page } = t;
          await t.goto("/");
          await page.locator(BANNER).waitFor({ state: "visible" });
          assert.deepEqual(await cut(page), [], "banner");
          assert.deepEqual(await axe(page, BANNER), [], "banner");
          await page.locator(`${BANNER} ${action("open-preferences")}`).click();
          await page.locator(PREFERENCES).waitFor({ state: "visible" });
          for (const s of await page.locator(`${PREFERENCES} details summary`).all()) await s.click();
          assert.deepEqual(await cut(page), [], "preferences");
          assert.deepEqual(await axe(page, PREFERENCES), [], "preferences, every cookie table open");
          await page.locator(`${PREFERENCES} ${action("reject-all")}`).click();
          // The embed's notice: its button whole and inside the site's frame.
          const notice = await page.evaluate(() => {
            const n = document.querySelector(".cst-ph");
            n.scrollIntoView();
            const box = n.parentElement.getBoundingClientRect();
            const b = n.querySelector("button").getBoundingClientRect();
            return { inside: b.top >= box.top && b.bottom <= box.bottom, height: b.height };
          });
          assert.ok(notice.inside && notice.height < 80, `the notice's button: ${JSON.stringify(notice)}`);
          assert.deepEqual(await cut(page), [], "notice");

          await t.goto("/account");
          await page.locator(`${PANEL} [data-consentry="receipt"]`).waitFor();
          assert.deepEqual(await cut(page), [], "account panel");
          assert.deepEqual(await axe(page, PANEL), [], "account panel");
        },
        { contextOptions: { viewport: { width: 320, height: 640 } }, pages },
      );
    });
  });
}
