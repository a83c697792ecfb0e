#!/usr/bin/env node
// Screenshots of the dialog from the demo, for the README and for review:
//
//   node scripts/screenshots.mjs            # needs dist/ (node scripts/build.mjs)
//   node scripts/screenshots.mjs --rtl      # also docs/screenshots/preferences-he.png
//
// Writes docs/screenshots/: the banner and the preferences in en and ru,
// light and dark, desktop and phone ({banner,preferences}-{en,ru}-{light,
// dark}[-phone].png, plus the README's banner-light, banner-dark,
// preferences-light, preferences-dark, preferences-ru and banner-phone),
// the reopen control, the GPC notes, an embed placeholder and the account
// panel. Every third-party request is answered locally (tests/e2e/harness.mjs).

import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { freshPage, launch, ROOT, startServer } from "../tests/e2e/harness.mjs";

const OUT = join(ROOT, "docs", "screenshots");
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 740 };

/** A config for a right-to-left check: the built-in categories plus Hebrew words. */
export const HE_CONFIG = {
  languages: ["en", "he"],
  policy_url: "/privacy-policy",
  ui: {
    he: {
      banner_title: "עוגיות באתר הזה",
      banner_text: "אנחנו משתמשים בעוגיות שנדרשות לכניסה ולאבטחה. באישורך נשתמש גם בעוגיות למדידה ולשיווק.",
      policy_link: "מדיניות פרטיות",
      accept_all: "לאשר הכול",
      reject_all: "לדחות הכול",
      preferences: "העדפות",
      preferences_title: "העדפות עוגיות",
      preferences_text: "בחרו אילו סוגי עוגיות מותר לנו להשתמש בהם.",
      save: "שמירת הבחירה",
      close: "סגירה",
      required: "תמיד פעיל",
      required_note: "נדרש כדי שהאתר יעבוד.",
      cookies_summary: "עוגיות בקטגוריה",
      cookie_name: "שם",
      cookie_provider: "ספק",
      cookie_purpose: "מטרה",
      cookie_duration: "משך",
    },
  },
  categories: [
    { id: "security", required: true, title: { en: "Security", he: "אבטחה" }, cookies: [{ name: "sid", provider: "Panelwise", duration: "1 day" }] },
    { id: "analytics", title: { en: "Analytics", he: "ניתוח" }, description: { he: "עוזר לנו להבין איך משתמשים באתר." } },
    { id: "marketing", title: { en: "Marketing", he: "שיווק" } },
  ],
};

/** The demo page with another <html lang> and, optionally, an inline config. */
export function pageVariant(html, { lang, config } = {}) {
  let out = html;
  if (lang) out = out.replace(/<html lang="[^"]*"/, `<html lang="${lang}"`);
  if (config) {
    out = out.replace("</head>", `<script type="application/json" id="consentry-config">${JSON.stringify(config)}</script>\n</head>`);
  }
  return out;
}

/** Serves `body` at `path` instead of the file (registered last, so it wins over the tracker). */
export async function override(context, url, body, type = "text/html; charset=utf-8") {
  await context.route(url, (route) => route.fulfill({ status: 200, headers: { "Content-Type": type, "Cache-Control": "no-store" }, body }));
}

async function shoot(browser, server, name, { viewport = DESKTOP, colorScheme = "light", path = "/", html, act, element, init }) {
  const t = await freshPage(browser, server, { contextOptions: { viewport, colorScheme, reducedMotion: "reduce" } });
  try {
    if (init) await t.page.addInitScript(init);
    if (html) await override(t.context, t.url(path), html);
    await t.goto(path);
    await t.page.locator('[data-consentry="banner"]').waitFor({ state: "visible" });
    if (act) await act(t.page);
    await t.page.waitForTimeout(150);
    const file = join(OUT, `${name}.png`);
    const target = element ? t.page.locator(element) : t.page;
    await target.screenshot({ path: file, animations: "disabled" });
    console.log(`screenshots: ${file}`);
    t.assertNoErrors();
  } finally {
    await t.close();
  }
}

const openPrefs = (page) => page.locator('[data-consentry="banner"] [data-consentry-action="open-preferences"]').click();
const openPrefsWithTable = async (page) => {
  await openPrefs(page);
  await page.locator('[data-consentry="preferences"] details').first().locator("summary").click();
};

export async function screenshots({ rtl = false } = {}) {
  mkdirSync(OUT, { recursive: true });
  const [browser, server] = await Promise.all([launch(), startServer()]);
  const index = readFileSync(join(ROOT, "www", "index.html"), "utf8");
  try {
    await shoot(browser, server, "banner-light", {});
    await shoot(browser, server, "banner-dark", { colorScheme: "dark" });
    await shoot(browser, server, "preferences-light", { act: openPrefsWithTable });
    await shoot(browser, server, "preferences-dark", { colorScheme: "dark", act: openPrefsWithTable });
    await shoot(browser, server, "preferences-ru", { html: pageVariant(index, { lang: "ru" }), act: openPrefs });
    await shoot(browser, server, "banner-phone", { viewport: PHONE });
    for (const lang of ["en", "ru"]) {
      const html = lang === "en" ? undefined : pageVariant(index, { lang: "ru" });
      for (const colorScheme of ["light", "dark"]) {
        for (const [suffix, viewport] of [["", DESKTOP], ["-phone", PHONE]]) {
          await shoot(browser, server, `banner-${lang}-${colorScheme}${suffix}`, { html, colorScheme, viewport });
          await shoot(browser, server, `preferences-${lang}-${colorScheme}${suffix}`, { html, colorScheme, viewport, act: openPrefs });
        }
      }
    }
    await shoot(browser, server, "reopen", {
      act: (page) => page.locator('[data-consentry="banner"] [data-consentry-action="reject-all"]').click(),
    });
    const gpc = () => Object.defineProperty(Navigator.prototype, "globalPrivacyControl", { get: () => true, configurable: true });
    await shoot(browser, server, "gpc-banner", { init: gpc });
    await shoot(browser, server, "gpc-preferences", { init: gpc, act: openPrefs });
    await shoot(browser, server, "embed-placeholder", {
      act: async (page) => {
        await page.locator('[data-consentry="banner"] [data-consentry-action="reject-all"]').click();
        await page.locator('[data-consentry="placeholder"]').scrollIntoViewIfNeeded();
      },
      element: '[data-consentry="placeholder"]',
    });
    await shoot(browser, server, "account-panel", {
      path: "/account",
      viewport: { width: 1280, height: 1400 },
      act: async (page) => {
        await page.locator('[data-consentry="banner"] [data-consentry-action="reject-all"]').click();
        await page.locator('[data-consentry="panel"] [data-consentry="receipt"]').waitFor();
      },
      element: "#privacy",
    });
    if (rtl) {
      const he = pageVariant(index, { lang: "he", config: HE_CONFIG });
      await shoot(browser, server, "banner-he", { html: he });
      await shoot(browser, server, "preferences-he", { html: he, act: openPrefsWithTable });
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop())) {
  await screenshots({ rtl: process.argv.includes("--rtl") });
}
