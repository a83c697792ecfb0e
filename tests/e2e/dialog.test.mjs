// The consent dialog with the keyboard only, its two layers and the reopen
// control (issue #3), including WCAG 2.4.11 focus not obscured.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { deepActive, tabTo } from "./harness.mjs";
import {
  BANNER,
  PREFERENCES,
  REOPEN,
  action,
  setUp,
  tabToSwitch,
  visit,
  where,
} from "./dialog-shared.mjs";

setUp();

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

  test("a browser that keeps no cookies: both layers say the choice lasts this page, and it still applies", async () => {
    const NOTE = "Cookies are blocked in this browser, so your choice applies to this page only.";
    const warned = async (page, layer) => (await page.locator(`${layer} .cst-note`).allTextContents()).filter((n) => n === NOTE).length;
    await visit(async (t) => {
      const { page } = t;
      // The browser's own "block cookies" setting: navigator.cookieEnabled
      // says false and document.cookie keeps nothing.
      const cdp = await t.context.newCDPSession(page);
      await cdp.send("Emulation.setDocumentCookieDisabled", { disabled: true });
      await t.goto("/");
      assert.equal(await warned(page, BANNER), 1, "the banner warns before the choice");
      await page.click(`${BANNER} ${action("open-preferences")}`);
      await page.locator(PREFERENCES).waitFor({ state: "visible" });
      assert.equal(await warned(page, PREFERENCES), 1, "so do the preferences");
      await page.click(`${PREFERENCES} ${action("accept-all")}`);
      assert.equal(await page.evaluate(() => Consentry.get()?.method), "accept-all", "the choice holds for this page");
      assert.equal(await page.evaluate(() => document.cookie), "", "and nothing was stored");
    });
    await visit(async (t) => {
      await t.goto("/");
      await t.page.click(`${BANNER} ${action("open-preferences")}`);
      assert.equal((await warned(t.page, BANNER)) + (await warned(t.page, PREFERENCES)), 0, "a browser that keeps cookies sees no such note");
    });
  });

  test("2.4.11: nothing focused with Tab is hidden under the banner or the reopen control", async () => {
    /** Tabs through the whole page; what focus reached, and where `cover` hid it. */
    const tabThrough = async (page, cover) => {
      const stops = await page.evaluate(() => document.querySelectorAll("a[href], button:not([hidden]), summary").length);
      const hidden = [];
      let reached = false;
      for (let i = 0; i < stops + 10; i++) {
        await page.keyboard.press("Tab");
        // The demo scrolls smoothly (site.css, unless reduced motion is
        // asked for): judge where focus ends, once scrolling has stopped.
        const r = await page.evaluate(async (cover) => {
          for (let last = NaN, still = 0; still < 3; ) {
            await new Promise((f) => requestAnimationFrame(f));
            still = scrollY === last ? still + 1 : 0;
            last = scrollY;
          }
          const a = document.activeElement;
          if (!a || a === document.body || a.closest(".cst")) return null;
          const f = a.getBoundingClientRect();
          const b = document.querySelector(cover).getBoundingClientRect();
          const overlap = f.bottom > b.top && f.top < b.bottom && f.right > b.left && f.left < b.right;
          return { id: a.id, text: (a.textContent || "").trim().slice(0, 30), overlap, top: f.top, coverTop: b.top };
        }, cover);
        if (!r) continue;
        if (r.id === "cookie-settings-link") reached = true;
        if (r.overlap) hidden.push(r);
      }
      return { reached, hidden };
    };
    const room = (page) =>
      page.evaluate(() => ({
        padding: document.documentElement.style.scrollPaddingBottom,
        spacer: document.querySelectorAll('[data-consentry="spacer"]').length,
      }));
    const nextFrames = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await visit(async (t) => {
      const { page } = t;
      await t.goto("/");
      await page.locator(BANNER).waitFor({ state: "visible" });
      const banner = await tabThrough(page, BANNER);
      assert.ok(banner.reached, "Tab reached the footer's Cookie settings link at the bottom of the page");
      assert.deepEqual(banner.hidden, [], "focused elements overlapping the banner");
      const bannerRoom = await room(page);

      // After a decision the room is the reopen control's, on a phone too.
      await page.locator(`${BANNER} ${action("reject-all")}`).click();
      await page.setViewportSize({ width: 320, height: 640 });
      await nextFrames(page);
      const pill = await room(page);
      assert.equal(pill.spacer, 1, "the reopen control keeps a spacer");
      assert.ok(parseInt(pill.padding) > 24 && parseInt(pill.padding) < parseInt(bannerRoom.padding), `room for the reopen control: ${JSON.stringify({ pill, bannerRoom })}`);
      await page.evaluate(() => scrollTo(0, 0));
      await page.locator("body").focus();
      const reopen = await tabThrough(page, '[data-consentry="reopen"]');
      assert.ok(reopen.reached, "Tab reached the footer's Cookie settings link on a phone");
      assert.deepEqual(reopen.hidden, [], "focused elements overlapping the reopen control");

      // The room follows whichever shows, and goes when neither does.
      await page.evaluate(() => window.Consentry.show());
      await nextFrames(page);
      assert.ok(parseInt((await room(page)).padding) > parseInt(pill.padding), "show() makes the banner's room again by the next frame");
      await page.evaluate(() => window.Consentry.hide());
      await nextFrames(page);
      assert.deepEqual(await room(page), pill, "hide() gives the room back to the reopen control");
      await page.evaluate(() => window.Consentry.reset());
      await nextFrames(page);
      await page.evaluate(() => window.Consentry.hide());
      await nextFrames(page);
      assert.deepEqual(await room(page), { padding: "", spacer: 0 }, "no banner and no reopen control: no room kept");
    });
  });

  test("a returning visitor's first Tab is the page's skip link; the reopen control comes last", async () => {
    await visit(async (t) => {
      const { page } = t;
      await t.goto("/");
      await page.locator(BANNER).waitFor({ state: "visible" });
      // Asked: the banner comes first, before the page's own controls.
      assert.equal(await page.evaluate(() => document.body.firstElementChild.getAttribute("data-consentry")), "root");
      await page.locator(`${BANNER} ${action("reject-all")}`).click();
      await t.reload();
      await page.locator(REOPEN).waitFor({ state: "visible" });
      await page.keyboard.press("Tab");
      assert.equal(await page.evaluate(() => document.activeElement.textContent.trim()), "Skip to content");
      // Decided: the root follows the page (only the spacer may come after it).
      const order = await page.evaluate(() =>
        [...document.body.children].slice(-2).map((e) => e.getAttribute("data-consentry")),
      );
      assert.ok(order.at(-1) === "root" || (order[0] === "root" && order[1] === "spacer"), JSON.stringify(order));
      // The reopen control is the page's last Tab stop, and Tab gets there.
      const last = await page.evaluate(() => {
        const stops = [...document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex="0"]')].filter(
          (e) => e.getClientRects().length && !e.disabled,
        );
        stops.at(-2).focus();
        return stops.at(-1).getAttribute("data-consentry");
      });
      assert.equal(last, "reopen");
      await page.keyboard.press("Tab");
      assert.equal(await page.evaluate(() => document.activeElement.getAttribute("data-consentry")), "reopen");
    });
  });

  test("no layout shift: the banner, its scroll room and a decision move nothing on the page", async () => {
    await visit(async (t) => {
      const { page } = t;
      await page.addInitScript(() => {
        window.__shifts = [];
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) window.__shifts.push(e.value);
        }).observe({ type: "layout-shift", buffered: true });
      });
      await t.goto("/");
      await page.locator(BANNER).waitFor({ state: "visible" });
      await page.waitForTimeout(300);
      const before = await page.evaluate(() => window.__shifts.reduce((a, b) => a + b, 0));
      await page.locator(`${BANNER} ${action("reject-all")}`).click();
      await page.evaluate(() => window.Consentry.show());
      await page.waitForTimeout(300);
      const total = await page.evaluate(() => window.__shifts.reduce((a, b) => a + b, 0));
      assert.equal(before, 0, `layout shift while the banner appeared: ${before}`);
      assert.equal(total, 0, `layout shift after deciding and showing again: ${total}`);
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

test("prefers-reduced-motion: the layers appear without animation", async () => {
  for (const reducedMotion of ["no-preference", "reduce"]) {
    await visit(async (t) => {
      await t.goto("/");
      const name = await t.page.locator(BANNER).evaluate((b) => getComputedStyle(b).animationName);
      assert.equal(name, reducedMotion === "reduce" ? "none" : "cst-in", reducedMotion);
    }, { contextOptions: { reducedMotion } });
  }
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
      // Changeable categories first; a required one says "Always on" (issue 18).
      assert.doesNotMatch(await page.locator(`${PREFERENCES} .cst-cat`).first().textContent(), /Always on/);
      assert.match(await page.locator(`${PREFERENCES} .cst-cat`).last().textContent(), /Always on/);

      // Accept all from the second layer decides and closes it.
      await page.locator(`${PREFERENCES} ${action("accept-all")}`).click();
      await page.locator(PREFERENCES).waitFor({ state: "hidden" });
      assert.equal((await page.evaluate(() => window.Consentry.get())).method, "accept-all");
    });
  });
});

