// The consent dialog through keyboard, screen-reader and small-screen eyes
// (issue #3): keyboard-only flows, axe-core on every layer in both languages
// and colour schemes, 320 px reflow, 200 % zoom, focus not obscured by the
// banner (WCAG 2.4.11), the account panel and its record download, RTL, and
// a hostile site stylesheet that must not change how the dialog looks.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { AxeBuilder } from "@axe-core/playwright";
import { deepActive, freshPage, launch, ROOT, startServer, tabTo } from "./harness.mjs";
import { HE_CONFIG, override, pageVariant } from "../../scripts/screenshots.mjs";

const BANNER = '[data-consentry="banner"]';
const PREFERENCES = '[data-consentry="preferences"]';
const PANEL = '[data-consentry="panel"]';
const REOPEN = '[data-consentry="reopen"]';
const action = (name) => `[data-consentry-action="${name}"]`;
const INDEX = readFileSync(join(ROOT, "www", "index.html"), "utf8");
const ACCOUNT = readFileSync(join(ROOT, "www", "account.html"), "utf8");
const HOSTILE = readFileSync(join(ROOT, "tests", "e2e", "fixtures", "hostile.css"), "utf8");
const SITE_CSS = readFileSync(join(ROOT, "www", "site.css"), "utf8");

let browser;
let server;

before(async () => {
  [browser, server] = await Promise.all([launch(), startServer()]);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/**
 * Runs body with a fresh visitor (reduced motion, so nothing is mid-animation
 * when measured); `pages` maps paths to HTML served instead of the files.
 */
async function visit(body, { contextOptions = {}, pages = {}, css } = {}) {
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

const where = (page) =>
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
async function tabToSwitch(page, id, max = 40) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    if ((await deepActive(page))?.category === id) return;
  }
  throw new Error(`Tab did not reach the ${id} switch`);
}

describe("keyboard only", () => {
  test("Tab reaches the banner first; Enter opens the preferences, Space toggles, Enter saves", async () => {
    await visit(async (t) => {
      const { page } = t;
      await t.goto("/");
      await page.locator(BANNER).waitFor({ state: "visible" });
      await page.keyboard.press("Tab");
      assert.equal(await where(page), "banner", "the first Tab stop is in the banner");

      await tabTo(page, "open-preferences");
      await page.keyboard.press("Enter");
      await page.locator(PREFERENCES).waitFor({ state: "visible" });
      assert.equal(await where(page), "preferences", "focus moved into the preferences");
      assert.equal(await page.locator(PREFERENCES).evaluate((d) => d.matches(":modal")), true, "opened as a modal");

      await tabToSwitch(page, "analytics");
      await page.keyboard.press("Space");
      assert.equal(await page.locator(`${PREFERENCES} [data-consentry-category="analytics"]`).isChecked(), true);
      assert.equal(await page.evaluate(() => window.Consentry.get()), null, "toggling is not a decision");

      await tabTo(page, "save");
      await page.keyboard.press("Enter");
      await page.locator(PREFERENCES).waitFor({ state: "hidden" });
      const r = await page.evaluate(() => window.Consentry.get());
      assert.equal(r.method, "custom");
      assert.deepEqual(r.categories, { authorization: true, security: true, settings: false, marketing: false, analytics: true });
      assert.equal(await page.locator(BANNER).isVisible(), false);
      assert.equal(await where(page), "reopen", "focus lands on the way back in, not on <body>");
      assert.equal(await page.locator('[role="status"]').textContent(), "Your choices are saved.", "the change is announced");
    });
  });

  test("Escape closes the preferences without deciding; focus returns to the opener", async () => {
    await visit(async (t) => {
      const { page } = t;
      await t.goto("/");
      await page.locator(BANNER).waitFor({ state: "visible" });
      await tabTo(page, "open-preferences");
      await page.keyboard.press("Enter");
      await page.locator(PREFERENCES).waitFor({ state: "visible" });
      await tabToSwitch(page, "marketing");
      await page.keyboard.press("Escape");
      await page.locator(PREFERENCES).waitFor({ state: "hidden" });
      assert.equal((await deepActive(page))?.action, "open-preferences", "focus is back on the banner's button");
      assert.equal(await page.evaluate(() => window.Consentry.get()), null, "closing is not consent");
      assert.equal(await page.locator(BANNER).isVisible(), true, "the banner still asks");

      // Same from the reopen control after a decision.
      await tabTo(page, "reject-all");
      await page.keyboard.press("Enter");
      assert.equal(await where(page), "reopen");
      await page.keyboard.press("Enter");
      await page.locator(PREFERENCES).waitFor({ state: "visible" });
      assert.equal(await where(page), "preferences");
      await page.keyboard.press("Escape");
      await page.locator(PREFERENCES).waitFor({ state: "hidden" });
      assert.equal(await where(page), "reopen", "focus is back on the reopen control");
    });
  });

  test("focus stays inside the open preferences", async () => {
    await visit(async (t) => {
      const { page } = t;
      await t.goto("/");
      await page.evaluate(() => window.Consentry.showPreferences());
      await page.locator(PREFERENCES).waitFor({ state: "visible" });
      const seen = new Set();
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press(i % 7 === 6 ? "Shift+Tab" : "Tab");
        seen.add(await where(page));
      }
      seen.delete("body"); // Chromium passes through the browser's own UI after the last control
      assert.deepEqual([...seen], ["preferences"], "Tab never reaches the page behind the modal");
    });
  });

  test("every control has a visible focus ring", async () => {
    await visit(async (t) => {
      const { page } = t;
      await t.goto("/");
      await page.evaluate(() => window.Consentry.showPreferences());
      await page.locator(PREFERENCES).waitFor({ state: "visible" });
      for (let i = 0; i < 14; i++) {
        await page.keyboard.press("Tab");
        const ring = await page.evaluate(() => {
          const a = document.activeElement;
          const s = getComputedStyle(a);
          return { what: a.outerHTML.slice(0, 60), style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
        });
        if (ring.what.startsWith("<body")) continue;
        assert.ok(ring.style !== "none" && ring.width >= 2, `focus ring on ${ring.what}: ${ring.style} ${ring.width}px`);
      }
    });
  });
});

describe("first layer", () => {
  test("three actions of equal weight, no pre-ticked boxes, a policy link", async () => {
    await visit(async (t) => {
      const { page } = t;
      await t.goto("/");
      const looks = await page.locator(`${BANNER} .cst-actions button`).evaluateAll((bs) =>
        bs.map((b) => {
          const s = getComputedStyle(b);
          const r = b.getBoundingClientRect();
          return {
            action: b.dataset.consentryAction,
            look: [s.backgroundColor, s.color, s.fontSize, s.fontWeight, s.borderTopWidth, s.borderTopColor, s.padding].join(" "),
            w: Math.round(r.width),
            h: Math.round(r.height),
          };
        }),
      );
      assert.deepEqual(looks.map((l) => l.action).sort(), ["accept-all", "open-preferences", "reject-all"]);
      assert.equal(new Set(looks.map((l) => l.look)).size, 1, `same style: ${JSON.stringify(looks)}`);
      assert.equal(new Set(looks.map((l) => l.h)).size, 1, "same height");
      assert.ok(Math.max(...looks.map((l) => l.w)) - Math.min(...looks.map((l) => l.w)) <= 1, "same width");
      assert.equal(await page.locator(`${BANNER} input`).count(), 0, "no boxes at all on the first layer");
      assert.equal(await page.locator(`${BANNER} a[href="/privacy-policy"]`).count(), 1);
      const name = await page.locator(BANNER).evaluate((b) => [b.getAttribute("role"), document.getElementById(b.getAttribute("aria-labelledby"))?.textContent]);
      assert.deepEqual(name, ["dialog", "Cookies on this site"], "named dialog");
    });
  });

  test("2.4.11: nothing focused with Tab is hidden under the banner, and the room goes with it", async () => {
    await visit(async (t) => {
      const { page } = t;
      await t.goto("/");
      await page.locator(BANNER).waitFor({ state: "visible" });
      const stops = await page.evaluate(() => document.querySelectorAll("a[href], button:not([hidden]), summary").length);
      const hidden = [];
      let reached = false;
      for (let i = 0; i < stops + 10; i++) {
        await page.keyboard.press("Tab");
        const r = await page.evaluate(() => {
          const a = document.activeElement;
          if (!a || a === document.body || a.closest(".cst")) return null;
          const f = a.getBoundingClientRect();
          const b = document.querySelector('[data-consentry="banner"]').getBoundingClientRect();
          const overlap = f.bottom > b.top && f.top < b.bottom && f.right > b.left && f.left < b.right;
          return { id: a.id, text: (a.textContent || "").trim().slice(0, 30), overlap, top: f.top, bannerTop: b.top };
        });
        if (!r) continue;
        if (r.id === "cookie-settings-link") reached = true;
        if (r.overlap) hidden.push(r);
      }
      assert.ok(reached, "Tab reached the footer's Cookie settings link at the bottom of the page");
      assert.deepEqual(hidden, [], "focused elements overlapping the banner");

      await page.locator(`${BANNER} ${action("reject-all")}`).click();
      const left = await page.evaluate(() => ({
        padding: document.documentElement.style.scrollPaddingBottom,
        spacer: document.querySelectorAll('[data-consentry="spacer"]').length,
      }));
      assert.deepEqual(left, { padding: "", spacer: 0 }, "scroll padding and spacer leave with the banner");
      await page.evaluate(() => window.Consentry.show());
      assert.notEqual(await page.evaluate(() => document.documentElement.style.scrollPaddingBottom), "", "show() makes room again");
    });
  });

  test("show(), hide() and showPreferences() drive the layers; reopen is small but at least 24 px", async () => {
    await visit(async (t) => {
      const { page } = t;
      await t.goto("/");
      await page.evaluate(() => window.Consentry.hide());
      assert.equal(await page.locator(BANNER).isVisible(), false);
      assert.equal(await page.evaluate(() => window.Consentry.get()), null, "hiding is not consent");
      await page.evaluate(() => window.Consentry.show());
      assert.equal(await page.locator(BANNER).isVisible(), true);
      await page.locator(`${BANNER} ${action("accept-all")}`).click();
      const box = await page.locator(REOPEN).boundingBox();
      assert.ok(box && box.width >= 24 && box.height >= 24 && box.height <= 48, `reopen box ${JSON.stringify(box)}`);
      await page.locator(REOPEN).click();
      await page.locator(PREFERENCES).waitFor({ state: "visible" });
      for (const id of ["analytics", "marketing", "settings"]) {
        assert.equal(await page.locator(`${PREFERENCES} [data-consentry-category="${id}"]`).isChecked(), true, `${id} shows the record`);
      }
      await page.locator(`${PREFERENCES} ${action("close")}`).click();
      await page.locator(PREFERENCES).waitFor({ state: "hidden" });
      await page.evaluate(() => window.Consentry.showPreferences());
      await page.locator(PREFERENCES).waitFor({ state: "visible" });
    });
  });
});

describe("second layer", () => {
  test("named and described modal; required categories on, locked and explained; cookie tables", async () => {
    await visit(async (t) => {
      const { page } = t;
      await t.goto("/");
      await page.evaluate(() => window.Consentry.showPreferences());
      const info = await page.locator(PREFERENCES).evaluate((d) => ({
        tag: d.tagName,
        name: document.getElementById(d.getAttribute("aria-labelledby"))?.textContent,
        description: document.getElementById(d.getAttribute("aria-describedby"))?.textContent ?? "",
        switches: [...d.querySelectorAll("input[data-consentry-category]")].map((i) => ({
          id: i.dataset.consentryCategory,
          role: i.getAttribute("role"),
          label: i.labels[0]?.textContent,
          checked: i.checked,
          disabled: i.disabled,
          described: (document.getElementById(i.getAttribute("aria-describedby"))?.textContent ?? "").length > 0,
        })),
        tables: d.querySelectorAll("details table th[scope=col]").length,
      }));
      assert.equal(info.tag, "DIALOG");
      assert.equal(info.name, "Cookie preferences");
      assert.ok(info.description.length > 20);
      for (const s of info.switches) {
        assert.equal(s.role, "switch");
        assert.ok(s.label, `${s.id} has a label`);
        assert.ok(s.described, `${s.id} has a description`);
        const required = ["authorization", "security"].includes(s.id);
        assert.equal(s.checked, required, `${s.id} starts ${required ? "on" : "off"}`);
        assert.equal(s.disabled, required);
      }
      assert.ok(info.tables >= 4 * 3, "cookie tables with name, provider, purpose, duration columns");
      assert.match(await page.locator(`${PREFERENCES} .cst-cat`).first().textContent(), /Always on/);

      // Accept all from the second layer decides and closes it.
      await page.locator(`${PREFERENCES} ${action("accept-all")}`).click();
      await page.locator(PREFERENCES).waitFor({ state: "hidden" });
      assert.equal((await page.evaluate(() => window.Consentry.get())).method, "accept-all");
    });
  });
});

const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

async function axe(page, selector) {
  const result = await new AxeBuilder({ page }).include(selector).withTags(AXE_TAGS).analyze();
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")} (${v.help})`);
}

describe("axe-core finds no WCAG 2.2 AA violations", () => {
  for (const lang of ["en", "ru"]) {
    for (const colorScheme of ["light", "dark"]) {
      test(`banner, preferences and account panel (${lang}, ${colorScheme})`, async () => {
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
  }
});

describe("small screens and zoom", () => {
  async function fits(page, scope) {
    return page.evaluate((sel) => {
      const vw = document.documentElement.clientWidth;
      const out = { scrollWidth: document.documentElement.scrollWidth, vw, bad: [] };
      for (const b of document.querySelectorAll(`${sel} button, ${sel} input, ${sel} summary`)) {
        b.scrollIntoView({ block: "nearest" });
        const r = b.getBoundingClientRect();
        const small = r.width < 24 || r.height < 24;
        const outside = r.left < 0 || r.right > vw + 0.5 || r.bottom > innerHeight + 0.5 || r.top < 0;
        const covered = !small && !outside && !b.contains(document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2));
        if (small || outside || covered) out.bad.push({ el: b.outerHTML.slice(0, 50), w: r.width, h: r.height, small, outside, covered });
      }
      return out;
    }, scope);
  }

  test("320 px: no horizontal scroll, every control visible and at least 24 x 24", async () => {
    await visit(
      async (t) => {
        const { page } = t;
        await t.goto("/");
        let f = await fits(page, BANNER);
        assert.ok(f.scrollWidth <= f.vw, `banner: page scrolls sideways (${f.scrollWidth} > ${f.vw})`);
        assert.deepEqual(f.bad, [], "banner controls");
        const b = await page.locator(BANNER).boundingBox();
        assert.ok(b.x >= 0 && b.x + b.width <= 320.5, "the banner is a full-width sheet");

        await page.locator(`${BANNER} ${action("open-preferences")}`).click();
        await page.locator(PREFERENCES).waitFor({ state: "visible" });
        for (const s of await page.locator(`${PREFERENCES} details summary`).all()) await s.click();
        f = await fits(page, PREFERENCES);
        assert.ok(f.scrollWidth <= f.vw, `preferences: page scrolls sideways (${f.scrollWidth})`);
        assert.deepEqual(f.bad, [], "preferences controls");
        const sideways = await page.locator(`${PREFERENCES} .cst-prefs-body`).evaluate((e) => e.scrollWidth - e.clientWidth);
        assert.ok(sideways <= 0, `the preferences body does not scroll sideways (${sideways})`);
        await page.locator(`${PREFERENCES} ${action("save")}`).click();

        await t.goto("/account");
        await page.locator(`${PANEL} [data-consentry="receipt"]`).waitFor();
        f = await fits(page, PANEL);
        assert.deepEqual(f.bad, [], "panel controls");
        const overflow = await page.locator(PANEL).evaluate((p) => p.scrollWidth - p.clientWidth);
        assert.ok(overflow <= 0, `the panel fits its column (${overflow})`);
      },
      { contextOptions: { viewport: { width: 320, height: 640 } } },
    );
  });

  test("200 % zoom of a 1280 x 800 window (640 x 400 CSS px): banner fits and scrolls, actions reachable", async () => {
    await visit(
      async (t) => {
        const { page } = t;
        await t.goto("/");
        const box = await page.locator(BANNER).boundingBox();
        assert.ok(box.height <= 400 && box.y >= 0, `banner within the viewport: ${JSON.stringify(box)}`);
        const f = await fits(page, BANNER);
        assert.ok(f.scrollWidth <= f.vw);
        assert.deepEqual(f.bad, []);
        await page.locator(`${BANNER} ${action("open-preferences")}`).click();
        const f2 = await fits(page, PREFERENCES);
        assert.deepEqual(f2.bad, []);
      },
      { contextOptions: { viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 } },
    );
  });
});

describe("account panel", () => {
  test("shows the record, follows every change, downloads it as JSON and withdraws", async () => {
    await visit(async (t) => {
      const { page } = t;
      await t.goto("/account");
      await page.locator(PANEL).waitFor();
      assert.match(await page.locator(PANEL).textContent(), /You have not made a choice yet/);

      await page.evaluate(() => window.Consentry.acceptAll());
      const r1 = await page.evaluate(() => window.Consentry.get());
      assert.equal(await page.locator(`${PANEL} [data-consentry="receipt"]`).textContent(), r1.id);
      for (const id of ["analytics", "marketing", "settings"]) {
        assert.equal(await page.locator(`${PANEL} [data-consentry-category="${id}"]`).isChecked(), true, `${id} on after acceptAll()`);
      }
      const times = await page.locator(`${PANEL} time`).evaluateAll((ts) => ts.map((x) => x.getAttribute("datetime")));
      assert.deepEqual(times, [r1.given, r1.updated], "first and last decision dates");

      // A change in the panel itself.
      await page.locator(`${PANEL} [data-consentry-category="marketing"]`).click();
      await page.locator(`${PANEL} ${action("save")}`).click();
      assert.equal((await page.evaluate(() => window.Consentry.get())).categories.marketing, false);
      assert.equal(await page.locator(`${PANEL} [data-consentry-category="marketing"]`).isChecked(), false);

      // Download.
      const [download] = await Promise.all([page.waitForEvent("download"), page.locator(`${PANEL} ${action("export")}`).click()]);
      const record = await page.evaluate(() => window.Consentry.get());
      assert.equal(download.suggestedFilename(), `consentry-record-${record.id}.json`);
      const chunks = [];
      for await (const c of await download.createReadStream()) chunks.push(c);
      assert.deepEqual(JSON.parse(Buffer.concat(chunks).toString("utf8")), record, "the file is the record");
      assert.equal(await download.failure(), null);
      // A second download works too (the first URL is revoked only then).
      const [again] = await Promise.all([page.waitForEvent("download"), page.locator(`${PANEL} ${action("export")}`).click()]);
      assert.equal(await again.failure(), null);

      // Withdraw with the keyboard: focus must not fall to <body>.
      await page.locator(`${PANEL} ${action("withdraw")}`).focus();
      await page.keyboard.press("Enter");
      assert.equal(await page.evaluate(() => window.Consentry.get()), null);
      assert.match(await page.locator(PANEL).textContent(), /You have not made a choice yet/);
      assert.equal(await where(page), "panel", "focus stays in the panel");
      assert.equal(await page.locator(`${PANEL} [data-consentry-category="analytics"]`).isChecked(), false);
      assert.equal(await page.locator(BANNER).isVisible(), true, "the first layer asks again");
      assert.equal(await page.locator('[role="status"]').textContent(), "Consent withdrawn.");
    });
  });
});

describe("languages and direction", () => {
  test("ru-RU page: Russian words; the dialog root says lang=ru", async () => {
    await visit(async (t) => {
      const { page } = t;
      await t.goto("/");
      assert.equal(await page.locator('[data-consentry="root"]').getAttribute("lang"), "ru");
      assert.equal(await page.locator(`${BANNER} h2`).textContent(), "Файлы cookie на этом сайте");
    }, { pages: { "/": pageVariant(INDEX, { lang: "ru-RU" }) } });
  });

  test("no page language: the browser's languages pick (ru-RU -> ru)", async () => {
    await visit(async (t) => {
      await t.goto("/");
      assert.equal(await t.page.locator(`${BANNER} ${action("reject-all")}`).textContent(), "Отклонить все");
    }, { pages: { "/": INDEX.replace('<html lang="en">', "<html>") }, contextOptions: { locale: "ru-RU" } });
  });

  test("a config adding Hebrew lays the dialog out right to left", async () => {
    await visit(async (t) => {
      const { page } = t;
      await t.goto("/");
      const root = page.locator('[data-consentry="root"]');
      assert.equal(await root.getAttribute("lang"), "he");
      assert.equal(await root.getAttribute("dir"), "rtl");
      assert.equal(await page.locator(`${BANNER} ${action("accept-all")}`).textContent(), "לאשר הכול");
      const xs = await page.locator(`${BANNER} .cst-actions button`).evaluateAll((bs) => bs.map((b) => b.getBoundingClientRect().x));
      assert.ok(xs[0] > xs[1] && xs[1] > xs[2], `buttons run right to left: ${xs}`);
      await page.evaluate(() => window.Consentry.showPreferences());
      const sw = await page.locator(`${PREFERENCES} .cst-cat-head`).first().evaluate((h) => {
        const label = h.querySelector("label").getBoundingClientRect();
        const input = h.querySelector("input").getBoundingClientRect();
        return input.right <= label.left;
      });
      assert.ok(sw, "the switch sits on the left of its label");
    }, { pages: { "/": pageVariant(INDEX, { lang: "he", config: HE_CONFIG }) } });
  });
});

describe("a hostile site stylesheet", () => {
  async function looks(t) {
    const { page } = t;
    await t.goto("/");
    await page.locator(BANNER).waitFor({ state: "visible" });
    const props = ["display", "position", "color", "backgroundColor", "fontSize", "fontFamily", "fontWeight", "fontStyle", "lineHeight",
      "letterSpacing", "textTransform", "textShadow", "paddingTop", "paddingLeft", "marginTop", "borderTopWidth", "borderTopStyle",
      "borderRadius", "width", "height", "opacity", "transform", "textAlign", "appearance", "outlineStyle"];
    const take = (sel) =>
      page.evaluate(([sel, props]) => [...document.querySelectorAll(sel)].map((e) => {
        const s = getComputedStyle(e);
        const before = getComputedStyle(e, "::before").content;
        return Object.fromEntries([...props.map((p) => [p, s[p]]), ["before", before]]);
      }), [sel, props]);
    const banner = await take(`${BANNER}, ${BANNER} *`);
    await page.evaluate(() => window.Consentry.showPreferences());
    await page.locator(PREFERENCES).waitFor({ state: "visible" });
    const prefs = await take(`${PREFERENCES}, ${PREFERENCES} :is(h2, p, button, input, label, summary, li)`);
    return { banner, prefs };
  }

  test("changes nothing in the banner or the preferences", async () => {
    let clean;
    await visit(async (t) => {
      clean = await looks(t);
    });
    await visit(async (t) => {
      const hostile = await looks(t);
      for (const part of ["banner", "prefs"]) {
        assert.equal(hostile[part].length, clean[part].length);
        hostile[part].forEach((h, i) => {
          for (const [k, v] of Object.entries(clean[part][i])) {
            assert.equal(h[k], v, `${part} element ${i}: ${k}`);
          }
        });
      }
    }, { css: SITE_CSS + "\n" + HOSTILE });
  });
});
