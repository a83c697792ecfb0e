// Issue 18's account panel: dates in the visitor's language and time zone,
// the method and the revision, "Withdraw" only when there is something to
// withdraw, and "Save choices" as the one primary button.

import assert from "node:assert/strict";
import { test } from "node:test";
import { pageVariant } from "../../scripts/screenshots.mjs";
import { ACCOUNT, PANEL, action, setUp, visit } from "./dialog-shared.mjs";

setUp();

const facts = (page) =>
  page.locator(`${PANEL} [data-consentry="record"]`).evaluate((r) => ({
    terms: [...r.querySelectorAll("dt")].map((d) => d.textContent),
    values: [...r.querySelectorAll("dd")].map((d) => d.textContent),
    times: [...r.querySelectorAll("time")].map((t) => [t.getAttribute("datetime"), t.textContent]),
    buttons: [...r.querySelectorAll("button")].map((b) => b.dataset.consentryAction),
  }));

for (const [lang, timezoneId] of [
  ["en", "America/New_York"],
  ["ru", "Asia/Vladivostok"],
]) {
  test(`dates in ${lang} and ${timezoneId}, method and revision; Withdraw only when something is allowed`, () =>
    visit(
      async (t) => {
        const { page } = t;
        await t.goto("/account");
        const panel = page.locator(PANEL);
        await panel.waitFor({ state: "visible" });
        await page.evaluate(() => window.Consentry.hide());
        await panel.locator(action("reject-all")).click();
        await panel.locator('[data-consentry="receipt"]').waitFor();
        let f = await facts(page);
        const en = lang === "en";
        assert.deepEqual(
          f.terms,
          en
            ? ["Consent ID", "First decision", "Last change", "Decision", "Cookie policy version"]
            : ["Идентификатор согласия", "Первое решение", "Последнее изменение", "Решение", "Версия правил cookie"],
        );
        assert.equal(f.values[3], en ? "Rejected all" : "Отклонены все");
        assert.equal(f.values[4], "1");
        for (const [iso, shown] of f.times) {
          assert.match(iso, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
          const want = await page.evaluate(
            ([iso, lang]) => new Date(iso).toLocaleString(lang, { dateStyle: "long", timeStyle: "short" }),
            [iso, lang],
          );
          assert.equal(shown, want);
        }
        // The page's clock in that zone: not UTC unless the zone is.
        assert.ok(!f.times[0][1].includes("UTC"));
        assert.deepEqual(f.buttons, ["export"], "after reject all there is nothing to withdraw");

        await panel.locator(action("accept-all")).click();
        await page.waitForFunction(() => window.Consentry.get().method === "accept-all");
        f = await facts(page);
        assert.equal(f.values[3], en ? "Accepted all" : "Приняты все");
        assert.deepEqual(f.buttons, ["export", "withdraw"]);

        // One primary button: Save; the rest are outlined and alike.
        const looks = await panel.locator(".cst-btn").evaluateAll((bs) =>
          bs.map((b) => [b.dataset.consentryAction, getComputedStyle(b).backgroundColor]),
        );
        const primary = looks.filter(([, bg]) => bg !== "rgba(0, 0, 0, 0)").map(([a]) => a);
        assert.deepEqual(primary, ["save"], JSON.stringify(looks));
      },
      {
        contextOptions: { timezoneId, locale: lang === "en" ? "en-US" : "ru-RU" },
        pages: lang === "en" ? {} : { "/account": pageVariant(ACCOUNT, { lang: "ru" }) },
      },
    ));
}
