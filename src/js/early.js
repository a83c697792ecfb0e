// The early snippet (dist/consentry-early.js; also part of the prelude).
// Inline it at the top of <head>, before any <body> markup, with its CSP
// hash (printed by the build, in dist/consentry-early.sha256), or load it
// from 'self'. It does two things before consentry itself is ready:
//
// 1. With a consent cookie present, it marks <html data-consentry-decided>,
//    and consentry.css hides a pre-rendered banner under that mark, so a
//    returning visitor on a static page never sees it flash. The gate lifts
//    the mark once it has read the cookie by its own rules: a forged or
//    outdated cookie shows the banner again. A cookie named otherwise:
//    <script data-cookie="name">, which leaves the hash unchanged.
// 2. It keeps the first trusted click on a button of the pre-rendered
//    banner (the first [data-consentry="root"] among <body>'s children) as
//    <html data-consentry-early="reject-all|accept-all|open-preferences">.
//    The gate applies it if it adopts that banner, and drops it otherwise.
//
// Plain ES2017, no imports: it must run alone, under a strict CSP and
// Trusted Types (it writes attributes only).
(function () {
  var d = document;
  var h = d.documentElement;
  var me = d.currentScript;
  var name = (me && me.getAttribute("data-cookie")) || "consentry";
  var ROOT = '[data-consentry="root"]';
  try {
    // Cookie names are compared exactly; an empty value is no decision.
    if (d.cookie.split(";").some(function (c) {
      var at = c.indexOf("=");
      return at > 0 && c.slice(0, at).trim() === name && c.slice(at + 1).trim() !== "";
    })) h.setAttribute("data-consentry-decided", "");
  } catch (e) {
    // A jar the page may not read holds no decision: the banner shows.
  }
  function early(e) {
    var t = e.target;
    var b = t && t.closest && t.closest("[data-consentry-action]");
    var r = b && b.closest(ROOT);
    if (e.isTrusted && r && r.parentNode === d.body && r === d.querySelector("body>" + ROOT) &&
        b.closest('[data-consentry="banner"]') && !h.hasAttribute("data-consentry-early")) {
      h.setAttribute("data-consentry-early", b.getAttribute("data-consentry-action"));
    }
  }
  d.addEventListener("click", early, true);
  addEventListener("consentry:ready", function () {
    d.removeEventListener("click", early, true);
  });
})();
