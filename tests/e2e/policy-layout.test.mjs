// Issue 18's layout: changeable categories first, "Always on" for required
// ones, at most 40% of a phone's screen, the theme key, and where to change
// one's mind later.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { pageVariant } from "../../scripts/screenshots.mjs";
import { BANNER, INDEX, PREFERENCES, action, setUp, visit } from "./dialog-shared.mjs";
import { bannerBox, defaultConfig } from "./policy-shared.mjs";

setUp();

const PHONE = { width: 390, height: 740 };

describe("preferences put the visitor's choices first", () => {
  for (const lang of ["en", "ru"]) {
    test(`optional categories come first; required ones say "Always on" (${lang})`, () =>
      visit(
        async (t) => {
          const { page } = t;
          await t.goto("/");
          await page.locator(`${BANNER} ${action("open-preferences")}`).click();
          await page.locator(PREFERENCES).waitFor({ state: "visible" });
          const items = await page.locator(`${PREFERENCES} .cst-cat`).evaluateAll((lis) =>
            lis.map((li) => {
              const input = li.querySelector("input[data-consentry-category]");
              const box = input.getBoundingClientRect();
              const badge = li.querySelector(".cst-always");
              return {
                id: input.dataset.consentryCategory,
                checked: input.checked,
                disabled: input.disabled,
                switchVisible: box.width > 2 && box.height > 2,
                badge: badge && badge.getBoundingClientRect().width > 0 ? badge.textContent : null,
              };
            }),
          );
          assert.deepEqual(
            items.map((i) => i.id),
            ["settings", "marketing", "analytics", "authorization", "security"],
          );
          const always = lang === "en" ? "Always on" : "Всегда включены";
          for (const i of items) {
            const required = i.id === "authorization" || i.id === "security";
            // CONTRACT §5: still a checked, disabled checkbox for assistive technology.
            assert.equal(i.disabled, required, i.id);
            if (required) {
              assert.equal(i.checked, true, i.id);
              assert.equal(i.switchVisible, false, `${i.id}: no greyed switch on screen`);
              assert.equal(i.badge, always, i.id);
            } else {
              assert.equal(i.switchVisible, true, i.id);
              assert.equal(i.badge, null, i.id);
            }
          }
          // The first changeable switch is in view without scrolling the body.
          const first = await page.locator(`${PREFERENCES} input[data-consentry-category="settings"]`).boundingBox();
          const body = await page.locator(`${PREFERENCES} .cst-prefs-body`).boundingBox();
          assert.ok(first.y + first.height <= body.y + body.height, "the settings switch is visible at once");
        },
        { pages: lang === "en" ? {} : { "/": pageVariant(INDEX, { lang: "ru" }) } },
      ));
  }
});

describe("the first layer on a 390 x 740 phone", () => {
  for (const [lang, colorScheme] of [
    ["en", "light"],
    ["ru", "dark"],
  ]) {
    test(`covers at most 40% of the screen, with all three buttons in view (${lang})`, () =>
      visit(
        async (t) => {
          const { page } = t;
          await t.goto("/");
          await page.locator(BANNER).waitFor({ state: "visible" });
          const box = await bannerBox(page);
          assert.equal(box.viewport, 740);
          assert.ok(box.height <= 0.4 * 740, `the banner is ${box.height}px tall, over 296px`);
          const sizes = [];
          for (const a of ["reject-all", "accept-all", "open-preferences"]) {
            const b = await page.locator(`${BANNER} ${action(a)}`).boundingBox();
            assert.ok(b.y >= box.top && b.y + b.height <= 740, `${a} is in view`);
            sizes.push([Math.round(b.width), Math.round(b.height)]);
          }
          // Identical in weight: the same size and the same look.
          assert.equal(new Set(sizes.map(String)).size, 1, JSON.stringify(sizes));
          const looks = await page
            .locator(`${BANNER} .cst-btn`)
            .evaluateAll((bs) => bs.map((b) => [getComputedStyle(b).backgroundColor, getComputedStyle(b).color, getComputedStyle(b).fontWeight].join()));
          assert.equal(new Set(looks).size, 1, JSON.stringify(looks));
        },
        {
          contextOptions: { viewport: PHONE, colorScheme, isMobile: true, hasTouch: true },
          pages: lang === "en" ? {} : { "/": pageVariant(INDEX, { lang: "ru" }) },
        },
      ));
  }

  test("says where to change one's mind later, naming the Cookie settings control", () =>
    visit(async (t) => {
      const { page } = t;
      await t.goto("/");
      const text = await page.locator(`${BANNER} #cst-text`).textContent();
      await page.locator(`${BANNER} ${action("reject-all")}`).click();
      const reopen = await page.locator('[data-consentry="reopen"]').textContent();
      assert.ok(text.includes(`“${reopen}”`), `${text} names ${reopen}`);
    }));
});

describe('theme = "auto" | "light" | "dark"', () => {
  const colours = (page) =>
    page.evaluate(() => {
      const b = document.querySelector('[data-consentry="banner"]');
      const ph = document.querySelector('[data-consentry="placeholder"]');
      return { banner: getComputedStyle(b).backgroundColor, placeholder: ph && getComputedStyle(ph).backgroundColor };
    });
  const WHITE = "rgb(255, 255, 255)";
  const DARK = "rgb(23, 25, 30)";
  for (const [theme, scheme, want] of [
    [undefined, "light", WHITE],
    [undefined, "dark", DARK],
    ["auto", "dark", DARK],
    ["light", "dark", WHITE],
    ["dark", "light", DARK],
  ]) {
    test(`theme ${theme ?? "(absent)"} under a ${scheme} browser: ${want === WHITE ? "light" : "dark"}`, () => {
      const config = defaultConfig();
      if (theme) config.theme = theme;
      return visit(
        async (t) => {
          await t.goto("/");
          await t.page.locator(BANNER).waitFor({ state: "visible" });
          const c = await colours(t.page);
          assert.equal(c.banner, want);
          assert.equal(c.placeholder, want, "the embed placeholder follows the theme too");
        },
        { contextOptions: { colorScheme: scheme }, pages: { "/": pageVariant(INDEX, { config }) } },
      );
    });
  }
});
