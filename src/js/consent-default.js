// Google Consent Mode v2 defaults for sites that use consentry.
//
// Inline this (or host the minified dist/consent-default.js and load it with
// a plain <script src>) BEFORE the Google tag, so that every Google tag
// starts with nothing granted but security storage. consentry then pushes
// gtag('consent', 'update', ...) for the visitor's decision, and again at
// start-up for a returning visitor; `wait_for_update` gives it 500 ms.
//
// It defines `gtag` only if the page has none yet, and pushes the same
// `arguments` object Google's own snippet does (gtag.js ignores arrays).
(function (w) {
  var dl = (w.dataLayer = w.dataLayer || []);
  w.gtag =
    w.gtag ||
    function () {
      dl.push(arguments);
    };
  w.gtag("consent", "default", {
    ad_storage: "denied",
    ad_user_data: "denied",
    ad_personalization: "denied",
    analytics_storage: "denied",
    functionality_storage: "denied",
    personalization_storage: "denied",
    security_storage: "granted",
    wait_for_update: 500,
  });
})(window);
