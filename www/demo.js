/* Panelwise demo page helpers. Kept in a file (not inline) so the pages can
   run under a strict Content-Security-Policy.

   - records the two third parties that cannot record themselves: the video
     embed (it posts a message) and the tracking pixel (we watch it load);
   - fills the "Consent status" box from window.Consentry;
   - lists the cookies and storage keys the page can see;
   - wires the "Cookie settings" link and the demo buttons.

   Every part checks for its elements, so other pages can load this file too. */
(function () {
  "use strict";

  const TITLES = {
    authorization: "Authorization",
    security: "Security",
    settings: "Settings and processes",
    marketing: "Marketing",
    analytics: "Stability, analytics and development",
  };
  const REQUIRED = ["authorization", "security"];
  const $ = (id) => document.getElementById(id);

  // Same shape as the stand-ins in /third-party/: a string in window.__demoLog
  // and a line in #demo-log.
  function record(entry, note) {
    (window.__demoLog = window.__demoLog || []).push(entry);
    const list = $("demo-log");
    if (!list) return;
    const li = document.createElement("li");
    li.textContent = entry;
    li.setAttribute("data-note", note);
    list.appendChild(li);
  }

  // ---------------------------------------------------------------- video
  // /third-party/video.html posts {consentryDemo: "marketing:video"} on load.
  window.addEventListener("message", (event) => {
    if (event.origin !== location.origin) return;
    if (event.data && event.data.consentryDemo === "marketing:video") {
      record("marketing:video", "product tour embed loaded");
    }
  });

  // ---------------------------------------------------------------- pixel
  // The pixel has no src until marketing is allowed; a capturing listener on
  // the document sees the load of any image, including ones inserted later.
  const pixelsSeen = new WeakSet();
  const isPixel = (el) =>
    el instanceof HTMLImageElement && /\/third-party\/pixel\.gif(\?|$)/.test(el.currentSrc || el.src || "");
  function pixelLoaded(img) {
    if (pixelsSeen.has(img)) return;
    pixelsSeen.add(img);
    const url = new URL(img.currentSrc || img.src);
    record("marketing:pixel", "tracking pixel loaded: " + url.pathname + url.search);
  }
  document.addEventListener("load", (event) => {
    if (isPixel(event.target)) pixelLoaded(event.target);
  }, true);
  // In case it finished before this script ran.
  function sweepPixels() {
    for (const img of document.images) {
      if (isPixel(img) && img.complete && img.naturalWidth > 0) pixelLoaded(img);
    }
  }

  // ------------------------------------------------------- consent status
  function formatTime(iso) {
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return iso || "";
    return d.toLocaleString(document.documentElement.lang || undefined, {
      dateStyle: "medium",
      timeStyle: "medium",
    });
  }

  function summaryOf(consent) {
    if (!consent) return "No decision yet: everything optional is blocked.";
    switch (consent.method) {
      case "accept-all": return "You accepted all categories.";
      case "reject-all": return "You refused all optional categories.";
      default: return "You chose category by category.";
    }
  }

  function renderStatus(consent) {
    const summary = $("consent-summary");
    if (!summary) return;
    summary.textContent = summaryOf(consent);

    const meta = $("consent-meta");
    if (meta) {
      meta.hidden = !consent;
      if (consent) {
        $("consent-id").textContent = consent.id;
        $("consent-given").textContent = formatTime(consent.given);
        $("consent-updated").textContent = formatTime(consent.updated);
      }
    }

    const list = $("consent-categories");
    if (list) {
      const ids = consent ? Object.keys(consent.categories) : Object.keys(TITLES);
      list.replaceChildren(...ids.map((id) => {
        const allowed = consent ? consent.categories[id] === true : safeAllowed(id);
        const li = document.createElement("li");
        const name = document.createElement("span");
        name.textContent = TITLES[id] || id;
        const pill = document.createElement("span");
        pill.className = "pill " + (allowed ? "on" : "off");
        pill.textContent = REQUIRED.includes(id) ? "always on" : allowed ? "allowed" : "blocked";
        li.append(name, pill);
        return li;
      }));
    }
    renderConsentMode();
  }

  function safeAllowed(id) {
    try {
      return Boolean(window.Consentry && window.Consentry.allowed(id));
    } catch (e) {
      return false;
    }
  }

  function showUnavailable(message) {
    const summary = $("consent-summary");
    if (summary) summary.textContent = message;
    const list = $("consent-categories");
    if (list) list.replaceChildren();
  }

  // The latest Google Consent Mode state, read back from window.dataLayer.
  let lastConsentMode = "";
  function renderConsentMode() {
    const out = $("consent-mode");
    if (!out) return;
    const state = {};
    for (const entry of window.dataLayer || []) {
      if (entry && entry[0] === "consent" && entry[2] && typeof entry[2] === "object") {
        for (const [type, value] of Object.entries(entry[2])) {
          if (value === "granted" || value === "denied") state[type] = value;
        }
      }
    }
    const text = Object.keys(state).length
      ? "Google Consent Mode: " + Object.entries(state).map(([k, v]) => k + " " + v).join(", ")
      : "";
    if (text === lastConsentMode) return;
    lastConsentMode = text;
    out.textContent = text;
    out.hidden = !text;
  }

  function whenConsentry(callback) {
    const api = window.Consentry;
    if (api && api.ready) {
      api.ready.then(() => callback(api), (err) => {
        showUnavailable("The consent manager failed to start" + (err && err.message ? ": " + err.message : "") +
          ". Everything optional stays blocked.");
      });
      return;
    }
    // The script tag may carry `async`, or not have run yet.
    window.addEventListener("consentry:ready", () => whenConsentry(callback), { once: true });
    window.addEventListener("load", () => {
      if (!window.Consentry) showUnavailable("The consent manager did not load, so everything optional stays blocked.");
    }, { once: true });
  }

  window.addEventListener("consentry:change", (event) => renderStatus(event.detail || null));
  window.addEventListener("consentry:reset", () => renderStatus(null));
  if ($("consent-summary")) {
    whenConsentry((api) => renderStatus(api.get()));
  }

  // ------------------------------------------------------------- buttons
  function openPreferences(event) {
    const api = window.Consentry;
    if (!api || typeof api.showPreferences !== "function") return; // the link's href still leads somewhere useful
    if (event) event.preventDefault();
    Promise.resolve(api.ready).then(() => api.showPreferences());
  }
  for (const el of document.querySelectorAll("#cookie-settings-link, #demo-preferences, [data-cookie-settings]")) {
    el.addEventListener("click", openPreferences);
  }
  const withdraw = $("demo-withdraw");
  if (withdraw) {
    withdraw.addEventListener("click", () => {
      const api = window.Consentry;
      if (!api) return;
      Promise.resolve(api.ready).then(() => {
        api.reset();
        renderStatus(api.get());
        refreshStorage();
      });
    });
  }

  // ------------------------------------------------- cookies and storage
  const shown = new Map();
  function renderNames(id, names) {
    const list = $(id);
    if (!list) return;
    const key = names.join("\n");
    if (shown.get(id) === key) return;
    shown.set(id, key);
    if (!names.length) {
      const li = document.createElement("li");
      li.className = "none";
      li.textContent = "none";
      list.replaceChildren(li);
      return;
    }
    list.replaceChildren(...names.map((name) => {
      const li = document.createElement("li");
      li.textContent = name;
      return li;
    }));
  }

  function storageKeys(area, label) {
    try {
      const keys = [];
      for (let i = 0; i < area.length; i++) keys.push(label + area.key(i));
      return keys;
    } catch (e) {
      return [];
    }
  }

  function refreshStorage() {
    const cookies = document.cookie
      ? document.cookie.split(";").map((c) => c.split("=")[0].trim()).filter(Boolean)
      : [];
    renderNames("cookie-names", [...new Set(cookies)].sort());
    let local = [];
    let session = [];
    try { local = storageKeys(window.localStorage, "local: "); } catch (e) { /* storage disabled */ }
    try { session = storageKeys(window.sessionStorage, "session: "); } catch (e) { /* storage disabled */ }
    renderNames("storage-keys", local.sort().concat(session.sort()));
  }

  function tick() {
    sweepPixels();
    refreshStorage();
    renderConsentMode();
  }
  tick();
  window.addEventListener("load", tick);
  window.addEventListener("consentry:change", () => setTimeout(tick, 0));
  window.addEventListener("consentry:reset", () => setTimeout(tick, 0));
  setInterval(tick, 1000);
})();
