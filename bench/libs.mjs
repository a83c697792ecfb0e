// Each library on the bench page, set up the way its own README / docs say:
// its script and CSS tags, its config with the same three categories
// (necessary, analytics, marketing), and its own form of gated markup for
// the GA snippet, the YouTube embed and the Meta pixel.
//
// `mount` is the URL prefix its files are served under; every file the page
// loads under it counts towards the library's bytes.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FB_PIXEL, FB_SNIPPET, GA_CONFIG, GA_ID, GA_SRC, TEXT, VIDEO_ID, VIDEO_SRC } from "./page.mjs";

const ROOT = join(import.meta.dirname, "..");
const pkgVersion = (dir) => JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).version;
const nm = (name) => join(ROOT, "node_modules", name);
const js = (x) => JSON.stringify(x);

const iframeAttrs = `title="Product tour video" width="640" height="360" allow="fullscreen; picture-in-picture" allowfullscreen`;

/** consentry's config on the bench page (also what a pre-rendered first layer is rendered from). */
export const CONSENTRY_CONFIG = {
  revision: 1,
  policy_url: "/privacy-policy",
  languages: ["en"],
  categories: [
    { id: "necessary", required: true, ...TEXT.necessary },
    { id: "analytics", ...TEXT.analytics, hosts: ["www.googletagmanager.com", "*.google-analytics.com"], cookies: [{ name: "_ga" }, { name: "_ga_*" }] },
    { id: "marketing", ...TEXT.marketing, hosts: ["connect.facebook.net", "www.facebook.com", "www.youtube-nocookie.com"], cookies: [{ name: "_fbp" }] },
  ],
};

/** @typedef {{id: string, name: string, version: string, mount: string, dir: string,
 *   head: string, analytics: string, video: string, marketing: string, bodyEnd?: string,
 *   banner: string, accept: string, preferences: string, dialog: string,
 *   openPreferences: string, prerender: boolean}} Lib
 *
 * banner / dialog: the first layer and the preferences dialog, counted
 * visible when laid out in the viewport; accept / preferences: the first
 * layer's "accept all" and "preferences" buttons; openPreferences: the
 * documented call that opens the preferences for a returning visitor (a JS
 * expression, may return a promise); prerender: whether the library offers
 * its first layer as server-rendered markup (only consentry does). */

/** @type {Lib[]} */
export const LIBS = [
  {
    id: "consentry",
    name: "consentry",
    version: pkgVersion(ROOT),
    mount: "/assets/consentry/",
    dir: join(ROOT, "dist"),
    // CONTRACT §2.1 (script tag, defer, inline JSON config) and §4 (gated markup).
    head: `  <script type="application/json" id="consentry-config">${js(CONSENTRY_CONFIG)}</script>
  <link rel="preload" href="/assets/consentry/consentry.wasm" as="fetch" crossorigin>
  <script src="/assets/consentry/consentry.js" defer></script>`,
    analytics: `  <script type="text/plain" data-category="analytics" src="${GA_SRC}"></script>
  <script type="text/plain" data-category="analytics">${GA_CONFIG}</script>`,
    video: `          <iframe data-category="marketing" data-src="${VIDEO_SRC}" ${iframeAttrs}></iframe>`,
    marketing: `    <script type="text/plain" data-category="marketing">${FB_SNIPPET}</script>
    <img data-category="marketing" data-src="${FB_PIXEL}" alt="" width="1" height="1">`,
    banner: '[data-consentry="banner"]',
    accept: '[data-consentry="banner"] [data-consentry-action="accept-all"]',
    preferences: '[data-consentry="banner"] [data-consentry-action="open-preferences"]',
    dialog: '[data-consentry="preferences"]',
    openPreferences: "Promise.resolve(window.Consentry.ready).then(() => window.Consentry.showPreferences())",
    prerender: true,
  },
  {
    id: "vanilla-cookieconsent",
    name: "vanilla-cookieconsent",
    version: pkgVersion(nm("vanilla-cookieconsent")),
    mount: "/lib/vanilla-cookieconsent/",
    dir: join(nm("vanilla-cookieconsent"), "dist"),
    // Docs: "Getting started" (UMD + CSS, CookieConsent.run) and "Script
    // management" (type="text/plain" data-category). It has no markup for
    // iframes or images (that is the separate iframemanager), so the embed
    // and the pixel are switched on from a gated script, as its docs suggest
    // for anything that is not a <script>. hideFromBots is switched off: the
    // default hides the banner from navigator.webdriver browsers.
    head: `  <link rel="stylesheet" href="/lib/vanilla-cookieconsent/cookieconsent.css">
  <script src="/lib/vanilla-cookieconsent/cookieconsent.umd.js" defer></script>
  <script type="module">
    CookieConsent.run(${js({
      hideFromBots: false,
      categories: { necessary: { enabled: true, readOnly: true }, analytics: { autoClear: { cookies: [{ name: "_ga" }] } }, marketing: {} },
      language: {
        default: "en",
        translations: {
          en: {
            consentModal: { title: TEXT.title, description: TEXT.notice, acceptAllBtn: "Accept all", acceptNecessaryBtn: "Reject all", showPreferencesBtn: "Manage preferences" },
            preferencesModal: {
              title: "Cookie preferences",
              acceptAllBtn: "Accept all",
              acceptNecessaryBtn: "Reject all",
              savePreferencesBtn: "Save preferences",
              closeIconLabel: "Close",
              sections: ["necessary", "analytics", "marketing"].map((id) => ({
                title: TEXT[id].title,
                description: TEXT[id].description,
                linkedCategory: id,
              })),
            },
          },
        },
      },
    })});
  </script>`,
    analytics: `  <script type="text/plain" data-category="analytics" src="${GA_SRC}"></script>
  <script type="text/plain" data-category="analytics">${GA_CONFIG}</script>`,
    video: `          <iframe data-cc-src="${VIDEO_SRC}" ${iframeAttrs}></iframe>`,
    marketing: `    <script type="text/plain" data-category="marketing">${FB_SNIPPET}document.querySelectorAll('iframe[data-cc-src]').forEach(function(f){f.src=f.getAttribute('data-cc-src')});</script>`,
    banner: "#cc-main .cm",
    accept: '#cc-main .cm [data-role="all"]',
    preferences: '#cc-main .cm [data-role="show"]',
    dialog: "#cc-main .pm",
    openPreferences: "CookieConsent.showPreferences()",
    prerender: false,
  },
  {
    id: "klaro",
    name: "klaro",
    version: pkgVersion(nm("klaro")),
    mount: "/lib/klaro/",
    dir: join(nm("klaro"), "dist"),
    // README "Getting started": the config first, then klaro.js (CSS and
    // translations bundled), both defer; services gated with
    // type="text/plain" data-type data-name data-src.
    head: `  <script>var klaroConfig = ${js({
      version: 1,
      elementID: "klaro",
      storageMethod: "cookie",
      cookieName: "klaro",
      cookieExpiresAfterDays: 182,
      default: false,
      mustConsent: false,
      acceptAll: true,
      groupByPurpose: true,
      lang: "en",
      translations: {
        zz: { privacyPolicyUrl: "/privacy-policy" },
        en: {
          consentNotice: { description: TEXT.notice },
          purposes: { necessary: TEXT.necessary.title, analytics: TEXT.analytics.title, marketing: TEXT.marketing.title },
          necessary: { description: TEXT.necessary.description },
          analytics: { description: TEXT.analytics.description },
          marketing: { description: TEXT.marketing.description },
        },
      },
      services: [
        { name: "necessary", title: TEXT.necessary.title, purposes: ["necessary"], required: true },
        { name: "analytics", title: "Google Analytics", purposes: ["analytics"], cookies: ["_ga"] },
        { name: "marketing", title: "Meta pixel and YouTube", purposes: ["marketing"], cookies: ["_fbp"] },
      ],
    })};</script>
  <script defer src="/lib/klaro/klaro.js"></script>`,
    analytics: `  <script type="text/plain" data-type="text/javascript" data-name="analytics" data-src="${GA_SRC}"></script>
  <script type="text/plain" data-type="text/javascript" data-name="analytics">${GA_CONFIG}</script>`,
    video: `          <iframe data-name="marketing" data-src="${VIDEO_SRC}" ${iframeAttrs}></iframe>`,
    marketing: `    <script type="text/plain" data-type="text/javascript" data-name="marketing">${FB_SNIPPET}</script>
    <img data-name="marketing" data-src="${FB_PIXEL}" alt="" width="1" height="1">`,
    banner: "#klaro .cookie-notice",
    accept: "#klaro .cookie-notice .cn-buttons .cm-btn-success",
    preferences: "#klaro .cookie-notice .cn-learn-more",
    dialog: "#klaro .cookie-modal .cm-modal",
    openPreferences: "klaro.show(undefined, true)",
    prerender: false,
  },
  {
    id: "orejime",
    name: "orejime",
    version: pkgVersion(nm("orejime")),
    mount: "/lib/orejime/",
    dir: join(nm("orejime"), "dist"),
    // README: window.orejimeConfig, orejime-standard-en.js + orejime-standard.css;
    // gated markup wrapped in <template data-purpose>, the embed with
    // data-contextual.
    head: `  <link rel="stylesheet" href="/lib/orejime/orejime-standard.css">
  <script>window.orejimeConfig = ${js({
      privacyPolicyUrl: "/privacy-policy",
      cookie: { name: "orejime", duration: 182 },
      purposes: [
        { id: "necessary", title: TEXT.necessary.title, description: TEXT.necessary.description, isMandatory: true, cookies: [] },
        { id: "analytics", title: TEXT.analytics.title, description: TEXT.analytics.description, cookies: ["_ga", "/^_ga_.+$/"] },
        { id: "marketing", title: TEXT.marketing.title, description: TEXT.marketing.description, cookies: ["_fbp"] },
      ],
      translations: { banner: { title: TEXT.title, description: TEXT.notice } },
    })};</script>
  <script src="/lib/orejime/orejime-standard-en.js"></script>`,
    analytics: `  <template data-purpose="analytics">
    <script async src="${GA_SRC}"></script>
    <script>${GA_CONFIG}</script>
  </template>`,
    video: `          <template data-purpose="marketing" data-contextual><iframe src="${VIDEO_SRC}" ${iframeAttrs}></iframe></template>`,
    marketing: `    <template data-purpose="marketing">
      <script>${FB_SNIPPET}</script>
      <img src="${FB_PIXEL}" alt="" width="1" height="1">
    </template>`,
    banner: ".orejime-Banner",
    accept: ".orejime-Banner .orejime-Banner-saveButton",
    preferences: ".orejime-Banner .orejime-Banner-learnMoreButton",
    dialog: ".orejime-Modal",
    // README "API": orejime.prompt() opens the consent modal.
    openPreferences: "Promise.resolve(window.orejime).then((o) => o.prompt())",
    prerender: false,
  },
  {
    id: "tarteaucitron",
    name: "tarteaucitronjs",
    version: pkgVersion(nm("tarteaucitronjs")),
    mount: "/lib/tarteaucitron/",
    dir: nm("tarteaucitronjs"),
    // README "How to use": tarteaucitron.js + tarteaucitron.init(...) with the
    // README's options (minified build, so it also fetches the minified
    // services, language and CSS files), then the documented service jobs:
    // gtag, facebookpixel and youtube (a div.youtube_player placeholder).
    // Its categories are service types (analytic, ads, video); groupServices
    // groups them like the others' categories. googleConsentMode is off:
    // with it on (the README's example) tarteaucitron loads gtag.js before
    // any decision, in Consent Mode "denied", which the others never do.
    head: `  <script src="/lib/tarteaucitron/tarteaucitron.min.js"></script>
  <script>tarteaucitron.init(${js({
      privacyUrl: "/privacy-policy",
      bodyPosition: "bottom",
      hashtag: "#tarteaucitron",
      cookieName: "tarteaucitron",
      orientation: "middle",
      groupServices: true,
      showDetailsOnClick: true,
      serviceDefaultState: "wait",
      showAlertSmall: false,
      cookieslist: false,
      showIcon: true,
      iconPosition: "BottomRight",
      adblocker: false,
      DenyAllCta: true,
      AcceptAllCta: true,
      highPrivacy: true,
      alwaysNeedConsent: false,
      handleBrowserDNTRequest: false,
      removeCredit: false,
      moreInfoLink: true,
      useExternalCss: false,
      useExternalJs: false,
      mandatory: true,
      mandatoryCta: true,
      googleConsentMode: false,
      partnersList: false,
    })});</script>`,
    analytics: "",
    video: `          <div class="youtube_player" videoID="${VIDEO_ID}" width="640" height="360" theme="light" rel="0" controls="1" showinfo="1" autoplay="0" mute="0" srcdoc="" loop="0" loading="1"></div>`,
    marketing: "",
    bodyEnd: `  <script>
    tarteaucitron.user.gtagUa = '${GA_ID}';
    tarteaucitron.user.gtagMore = function () {};
    tarteaucitron.user.facebookpixelId = '100000000000001';
    tarteaucitron.user.facebookpixelMore = function () {};
    (tarteaucitron.job = tarteaucitron.job || []).push('gtag');
    (tarteaucitron.job = tarteaucitron.job || []).push('facebookpixel');
    (tarteaucitron.job = tarteaucitron.job || []).push('youtube');
  </script>`,
    banner: "#tarteaucitronAlertBig",
    accept: "#tarteaucitronAlertBig #tarteaucitronPersonalize2",
    preferences: "#tarteaucitronAlertBig #tarteaucitronCloseAlert",
    dialog: "#tarteaucitron #tarteaucitronServices",
    openPreferences: "tarteaucitron.userInterface.openPanel()",
    prerender: false,
  },
];
