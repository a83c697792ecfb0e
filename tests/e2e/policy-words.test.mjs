// Issue 18's amendments and issue 15's overrides: a visitor asked again after
// a revision bump reads what changed, and a German [ui.de] replaces every
// text of the dialog, the account panel and the embed placeholder.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { AxeBuilder } from "@axe-core/playwright";
import { pageVariant } from "../../scripts/screenshots.mjs";
import { consentCookie } from "./harness.mjs";
import { BANNER, INDEX, PREFERENCES, action, setUp, visit } from "./dialog-shared.mjs";
import { builtinWords, defaultConfig } from "./policy-shared.mjs";

setUp();

const AMENDED = {
  date: "2026-12-01",
  note: { en: "The online chat now needs the Settings and processes category.", ru: "Онлайн-чату теперь нужна категория «Настройки и процессы»." },
};

async function noViolations(page, selector) {
  const r = await new AxeBuilder({ page })
    .include(selector)
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"])
    .options({ resultTypes: ["violations"] })
    .analyze();
  assert.deepEqual(r.violations.map((v) => `${v.id}: ${v.help}`), [], selector);
}

describe("amendments (policy section 9)", () => {
  for (const [lang, want] of [
    ["en", "We changed how we use cookies on December 1, 2026: The online chat now needs"],
    ["ru", "1 декабря 2026 г. мы изменили порядок использования cookie: Онлайн-чату теперь нужна"],
  ]) {
    test(`after a revision bump the first layer says what changed, with the link (${lang})`, async () => {
      const before = defaultConfig();
      const after = { ...defaultConfig(), revision: 2, amendment: AMENDED };
      const pages = { "/": pageVariant(INDEX, { lang, config: before }), "/v2": pageVariant(INDEX, { lang, config: after }) };
      await visit(
        async (t) => {
          const { page } = t;
          // A first visitor under revision 2 is not "asked again": no note.
          await t.goto("/v2");
          assert.equal(await page.locator('[data-consentry="amendment"]').count(), 0);
          await t.goto("/");
          await page.locator(`${BANNER} ${action("reject-all")}`).click();
          assert.match((await consentCookie(t.context)).value, /^c1\.1\./);

          await t.goto("/v2");
          const note = page.locator(`${BANNER} [data-consentry="amendment"]`);
          await note.waitFor({ state: "visible" });
          const text = await note.textContent();
          assert.ok(text.startsWith(want), text);
          assert.equal(await note.locator("a").getAttribute("href"), "/privacy-policy");
          assert.equal(await page.locator(`${BANNER} a`).count(), 1, "one policy link");
          await noViolations(page, BANNER);

          // The new answer records the revision it answered.
          await page.locator(`${BANNER} ${action("accept-all")}`).click();
          assert.equal(await page.evaluate(() => window.Consentry.get().revision), 2);
          assert.match((await consentCookie(t.context)).value, /^c1\.2\./);
          await t.reload();
          assert.equal(await page.locator(BANNER).isVisible(), false);
          await page.evaluate(() => window.Consentry.show());
          assert.equal(await page.locator('[data-consentry="amendment"]').count(), 0, "answered: no note");
        },
        { pages },
      );
    });
  }
});

describe("[ui.de] overrides every text", () => {
  test("a German config shows no built-in English or Russian word anywhere", async () => {
    const words = builtinWords();
    const config = defaultConfig();
    config.languages = ["de"];
    config.ui = { de: Object.fromEntries(words.map(([k]) => [k, `DE ${k}${words.find((w) => w[0] === k)[1].includes("{}") ? " {}" : ""}`])) };
    await visit(
      async (t) => {
        const { page } = t;
        await t.goto("/");
        const panel = await page.evaluate(() => {
          const host = document.createElement("div");
          host.id = "panel-host";
          document.querySelector("main, body").append(host);
          window.Consentry.mountPreferences(host);
          return true;
        });
        assert.ok(panel);
        await page.locator(`${BANNER} ${action("open-preferences")}`).click();
        await page.locator(PREFERENCES).waitFor({ state: "visible" });
        const seen = async () =>
          page.evaluate(() =>
            [...document.querySelectorAll('[data-consentry="root"], [data-consentry="panel"], [data-consentry="placeholder"]')]
              .map((e) => e.textContent + " " + [...e.querySelectorAll("[aria-label]")].map((x) => x.getAttribute("aria-label")).join(" "))
              .join("\n"),
          );
        const leaks = (text) =>
          words.flatMap(([k, en, ru]) =>
            [en, ru].map((s) => s.split("{}")[0]).filter((s) => s.length > 3 && text.includes(s)).map((s) => `${k}: ${s}`),
          );
        let text = await seen();
        for (const k of ["banner_title", "banner_text", "policy_link", "accept_all", "reject_all", "preferences", "preferences_title", "preferences_text", "save", "required", "required_note", "cookies_summary", "record_title", "record_none", "placeholder", "placeholder_allow"]) {
          assert.ok(text.includes(`DE ${k}`), `DE ${k} shown`);
        }
        assert.deepEqual(leaks(text), []);
        // Decide in the panel, so the record, its method and Withdraw show.
        await page.locator(`${PREFERENCES} ${action("close")}`).click();
        await page.evaluate(() => window.Consentry.hide());
        await page.locator(`#panel-host ${action("accept-all")}`).click();
        await page.locator('#panel-host [data-consentry="receipt"]').waitFor();
        text = await seen();
        for (const k of ["record_id", "record_given", "record_updated", "record_method", "record_revision", "method_accept_all", "export", "withdraw", "reopen"]) {
          assert.ok(text.includes(`DE ${k}`), `DE ${k} shown`);
        }
        assert.deepEqual(leaks(text), []);
        await page.locator(`#panel-host ${action("withdraw")}`).click();
        await page.locator(`[data-consentry="root"] [role="status"]`).filter({ hasText: "DE withdrawn" }).waitFor();
        await page.locator(`#panel-host ${action("reject-all")}`).click();
        text = await seen();
        assert.ok(text.includes("DE record_nothing") && text.includes("DE method_reject_all"));
        assert.ok(text.includes("DE saved"));
        assert.deepEqual(leaks(text), []);
      },
      { pages: { "/": pageVariant(INDEX, { lang: "de", config }) } },
    );
  });
});

describe("axe finds nothing in the new states", () => {
  for (const colorScheme of ["light", "dark"]) {
    test(`Always on, the phone banner, GPC notes and the account panel after reject all (${colorScheme})`, () =>
      visit(
        async (t) => {
          const { page } = t;
          await page.addInitScript(() =>
            Object.defineProperty(Navigator.prototype, "globalPrivacyControl", { get: () => true, configurable: true }),
          );
          await t.goto("/");
          await page.locator('[data-consentry="gpc-note"]').first().waitFor();
          await noViolations(page, BANNER);
          await page.locator(`${BANNER} ${action("open-preferences")}`).click();
          await page.locator(PREFERENCES).waitFor({ state: "visible" });
          await noViolations(page, PREFERENCES);
          await page.locator(`${PREFERENCES} ${action("reject-all")}`).click();
          await noViolations(page, '[data-consentry="placeholder"]');
          await t.goto("/account");
          await page.locator('[data-consentry="panel"] [data-consentry="receipt"]').waitFor();
          await noViolations(page, '[data-consentry="panel"]');
        },
        { contextOptions: { colorScheme, viewport: { width: 390, height: 740 } } },
      ));
  }
});
