// The prelude (dist/consentry-prelude.js): a tiny classic script placed first
// in <head>, before any other script. It holds requests to the hosts that
// categories declare (`hosts` in categories.toml) until the wasm core says
// the category is allowed, however another script makes them: element
// attributes and properties, markup parsed after it, innerHTML, fetch, XHR,
// sendBeacon; and it ignores document.cookie writes of declared cookies of
// refused categories. It never decides anything itself: before the core is
// ready every match is held; afterwards it asks the core's allowed().
//
// Host patterns: "a.com" matches that host only; "*.a.com" matches any
// subdomain at any depth (x.a.com, x.y.a.com) but NOT a.com itself, as in
// CSP source lists. List both when both are meant.
//
// Size budget: 1.5 KiB brotli (scripts/build.mjs fails above it), so the code
// favours short over clever. Required categories are never held.

/* global PRELUDE_CONFIG */
(() => {
  const W = window;
  const D = document;
  if (W.__consentryPrelude) return; // included twice: the first one stays
  const EP = Element.prototype;
  const setAttr = EP.setAttribute;
  const wrap = (o, p, set) => {
    const d = Object.getOwnPropertyDescriptor(o, p);
    if (d) Object.defineProperty(o, p, { ...d, set(v) { set.call(this, v, d.set) } });
  };

  let hosts = []; // [RegExp of a host pattern, category id, its literal part]
  let jar = []; // [RegExp of a declared cookie name, category id]
  let decide; // the core's allowed(), once it is ready
  // element -> {attribute: value}, in the order first held. A Map: O(1) per
  // call however much is held (held elements stay referenced until released).
  const held = new Map();
  const hold = (e, a, v) => held.set(e, { ...held.get(e), [a]: v });

  const configure = (c) => {
    hosts = [];
    jar = [];
    // Host patterns and cookie names are both globs: "*" is any run of
    // characters, so "*.a.com" needs the dot and never matches a.com.
    const add = (list, p, id) =>
      list.push([RegExp(`^${p.replace(/\W/g, "\\$&").replace(/\\\*/g, ".*")}$`), id, p.replace("*", "")]);
    for (const k of c.categories || []) {
      if (k.required) continue;
      for (const h of k.hosts || []) add(hosts, h.toLowerCase(), k.id);
      for (const x of k.cookies || []) add(jar, x.name || x, k.id);
    }
  };
  const allowed = (id) => decide && decide(id);
  /** The category of a URL's host, or undefined. */
  const category = (url) => {
    let h;
    try {
      h = new URL(url, D.baseURI).hostname;
    } catch {
      return;
    }
    for (const [r, id] of hosts) if (r.test(h)) return id;
  };
  /**
   * Whether text names a listed host literally (any case). Saves parsing URLs
   * and markup that cannot match; the price: a host the URL parser would
   * rewrite into a listed one (percent-escapes, full-width dots) passes.
   */
  const mentions = (text) => {
    const s = String(text).toLowerCase();
    return hosts.some((x) => s.includes(x[2]));
  };
  /** Whether a URL has to wait. */
  const blocked = (v) => {
    const id = mentions(v) && category(v);
    return id && !allowed(id);
  };

  /** Holds attribute `a` = `v` of `e` when it must wait; true when held. */
  const gate = (e, a, v) => {
    delete held.get(e)?.[a]; // the latest value counts
    return blocked(v) && !!hold(e, a, v);
  };
  // srcset is not watched (1.5 KiB): a tracker set only through srcset passes.
  const urlish = (e, a) => a == "src" || (a == "href" && e.localName == "link");

  /** Releases what is now allowed, in the order it was held. */
  const sync = () => {
    for (const [e, h] of held) {
      if (Object.values(h).some(blocked)) continue;
      held.delete(e);
      // A connected script that had no src and no text never started, so
      // giving it its src now runs it: the element (and the handlers the
      // inserting script put on it) is kept, no copy needed. Non-async
      // scripts run in the order they got their src: the order held.
      if (e.localName == "script") e.async = false;
      for (const a in h) setAttr.call(e, a, h[a]);
    }
  };

  /** Holds what markup (parser, innerHTML, cloned nodes) brought in under n. */
  const scan = (n) => {
    for (const e of [n, ...n.querySelectorAll("[src],link[href]")]) {
      for (const a of ["src", "href"]) {
        const v = e.getAttribute?.(a);
        // Markup with data-category (CONTRACT §4) is the core's: it reads
        // the src of a waiting script when it activates it, and its copy's
        // src comes through setAttribute, so gate() sees that one.
        if (v == null || !urlish(e, a) || e.hasAttribute("data-category") || !blocked(v)) continue;
        // Observer callbacks run before the parser prepares a script, so a
        // parser-inserted one loses its src before it could start.
        hold(e, a, v);
        e.removeAttribute(a);
      }
    }
  };

  // --- config: inline JSON before us, else the baked default; an inline
  // config that only appears later replaces the list at DOMContentLoaded.
  const inline = () => {
    const s = D.getElementById("consentry-config");
    try {
      return s && JSON.parse(s.textContent);
    } catch {}
  };
  const first = inline();
  configure(first || PRELUDE_CONFIG);
  if (!first) {
    D.addEventListener("DOMContentLoaded", () => {
      const c = inline();
      if (c) configure(c), sync();
    });
  }

  // --- Google Consent Mode: the default, before any Google tag.
  // Every Consent Mode v2 type is named, denied but security_storage: a type
  // no category grants stays denied, which is what the core's updates mean.
  if ((first || PRELUDE_CONFIG).google_consent_mode) {
    const p = { security_storage: "granted", wait_for_update: 500 };
    for (const t of "ad_storage analytics_storage ad_user_data ad_personalization functionality_storage personalization_storage".split(" ")) {
      p[t] = "denied";
    }
    (function () {
      (W.dataLayer = W.dataLayer || []).push(arguments); // gtag.js reads `arguments` objects only
    })("consent", "default", p);
  }

  // --- elements: property setters, setAttribute, innerHTML, and an observer
  // for everything else that brings markup (the parser above all).
  // (wrap() skips the pairs a prototype lacks: only links have href here.)
  for (const n of ["Script", "Image", "IFrame", "Media", "Source", "Link"]) {
    for (const p of ["src", "href"]) {
      wrap(W[`HTML${n}Element`].prototype, p, function (v, set) {
        gate(this, p, v) || set.call(this, v);
      });
    }
  }
  EP.setAttribute = function (n, v) {
    const a = String(n).toLowerCase();
    if (!(urlish(this, a) && gate(this, a, v))) setAttr.call(this, n, v);
  };
  // innerHTML and insertAdjacentHTML are parsed into an inert template first,
  // so nothing in them loads before it has been checked: the observer comes
  // too late for iframes (they navigate as they connect) and for images
  // (adopting one queues its fetch before the observer's callback).
  // outerHTML, document.write and DOMParser + importNode are not covered.
  const parse = (html) => {
    if (!mentions(html)) return;
    const t = D.createElement("template");
    t.innerHTML = html; // a template: the setter below passes it straight through
    scan(t.content);
    return t.content;
  };
  wrap(EP, "innerHTML", function (v, set) {
    const f = this.localName != "template" && parse(v);
    f ? this.replaceChildren(f) : set.call(this, v);
  });
  const adjacent = EP.insertAdjacentHTML;
  EP.insertAdjacentHTML = function (where, html) {
    const f = parse(html);
    f ? this.insertAdjacentElement(where, D.createElement("i")).replaceWith(f) : adjacent.call(this, where, html);
  };
  new MutationObserver((rs) => {
    for (const r of rs) for (const n of r.addedNodes) if (n.nodeType == 1) scan(n);
  }).observe(D.documentElement, { childList: true, subtree: true });

  // --- network calls: dropped (not queued) while their category is refused.
  const f = W.fetch;
  W.fetch = function (r) {
    return blocked(r.url || r) // a Request, or a string or URL
      ? Promise.reject(TypeError("consentry: held"))
      : f.apply(this, arguments);
  };
  const NP = Navigator.prototype;
  const beacon = NP.sendBeacon;
  NP.sendBeacon = function (u) {
    return !blocked(u) && beacon.apply(this, arguments);
  };
  const XP = XMLHttpRequest.prototype;
  const open = XP.open;
  XP.open = function (m, u) {
    // send() of a held request does nothing: readyState stays OPENED.
    blocked(u) ? (this.send = Object) : delete this.send;
    return open.apply(this, arguments);
  };

  // --- cookies: a declared cookie of a refused category is not written;
  // deleting one (Max-Age <= 0 or Expires in the past) always goes through.
  wrap(Document.prototype, "cookie", function (v, set) {
    const s = String(v);
    const k = jar.find(([g]) => g.test(s.split("=")[0].trim()));
    const gone = /max-age\s*=\s*[-0]/i.test(s) || Date.parse(/expires\s*=([^;]*)/i.exec(s)?.[1]) < Date.now();
    if (!k || allowed(k[1]) || gone) set.call(this, v);
  });

  // --- the core: src/js/core.js hands over its allowed() as it settles, in
  // the task that starts it; the events cover a core without that hook.
  W.__consentryPrelude = (fn) => {
    decide = fn;
    sync();
  };
  addEventListener("consentry:ready", () => {
    decide ||= W.Consentry.allowed; // it does not use `this`
    sync();
  });
  addEventListener("consentry:change", sync);
})();
