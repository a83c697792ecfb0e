// The dialog at 320 px and 200 % zoom, the account panel and its record
// download, languages and right-to-left, and a hostile site stylesheet.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { HE_CONFIG, pageVariant } from "../../scripts/screenshots.mjs";
import {
  BANNER,
  HOSTILE,
  INDEX,
  PANEL,
  PREFERENCES,
  SITE_CSS,
  action,
  setUp,
  visit,
  where,
} from "./dialog-shared.mjs";

setUp();

describe("small screens and zoom", () => {
  // A required category's switch is visually hidden ("Always on" shows
  // instead, issue 18): not a target, so not measured.
  async function fits(page, scope) {
    return page.evaluate((sel) => {
      const vw = document.documentElement.clientWidth;
      const out = { scrollWidth: document.documentElement.scrollWidth, vw, bad: [] };
      for (const b of document.querySelectorAll(`${sel} button, ${sel} input:not(.cst-sr), ${sel} summary`)) {
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
      await page.evaluate(() => {
        window.__resets = 0;
        window.Consentry.on("reset", () => window.__resets++);
      });
      await page.locator(`${PANEL} ${action("withdraw")}`).focus();
      await page.keyboard.press("Enter");
      assert.equal(await page.evaluate(() => window.Consentry.get()), null);
      assert.equal(await page.evaluate(() => window.__resets), 1, "the site hears of the withdrawal");
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
