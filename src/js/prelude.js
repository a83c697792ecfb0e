// The prelude (dist/consentry-prelude.js): a tiny classic script placed first
// in <head>, before any other script. It holds requests to the hosts that
// categories declare (`hosts` in categories.toml) until the wasm core says
// the category is allowed, however another script makes them: element
// attributes and properties, markup parsed after it, innerHTML and the other
// HTML sinks, every DOM insertion method, fetch, XHR, sendBeacon; and it
// ignores document.cookie writes of declared cookies of refused categories.
// It never decides anything itself: it asks the core's allowed(), which it
// gets once, privately (see "the channel" at the end); until then every
// match is held.
//
// An element is held by its address, whatever else it carries: a script
// (with a type that runs), img, iframe, link, media or SVG element whose
// src/href/poster names a listed host, or an iframe whose srcdoc holds such
// markup, waits even with `data-category` on it. Only `<script
// type="text/plain">` (CONTRACT §4, inert until the core activates it) and
// `data-src` are left to the core. Hosts are compared on the parsed URL
// (`new URL(x, document.baseURI).hostname`), never on the raw text, so
// spellings the URL parser normalises (case, a trailing dot, tabs, %2E)
// cannot slip past.
//
// Host patterns: "a.com" matches that host only; "*.a.com" matches any
// subdomain at any depth (x.a.com, x.y.a.com) but NOT a.com itself, as in
// CSP source lists. List both when both are meant.
//
// Size budget: 2752 B brotli (PRELUDE_BROTLI_MAX; scripts/build.mjs fails above it), so the code
// favours short over clever. Required categories are never held.

/* global PRELUDE_CONFIG */
// The early snippet rides along: a page with the prelude needs no second
// inline script for a pre-rendered banner (see early.js).
import "./early.js";

(() => {
  const W = window;
  const D = document;
  if ("__consentryPrelude" in W) return; // included twice: the first one stays
  const EP = Element.prototype;
  const NP = Node.prototype;
  const DP = Document.prototype;
  const RP = Range.prototype;
  const SP = ShadowRoot.prototype;
  const setAttr = EP.setAttribute;
  const desc = Object.getOwnPropertyDescriptor;
  // Captured before anyone can replace them: the channel checks its caller.
  const current = desc(DP, "currentScript").get;
  const srcOf = desc(HTMLScriptElement.prototype, "src").get;
  // A value is read once, so an object whose toString() changes its answer
  // cannot show one address to the check and another to the browser;
  // Trusted Types objects are immutable and pass as they are.
  const TT = W.trustedTypes;
  const str = (v) => (TT && (TT.isScriptURL(v) || TT.isHTML(v) || TT.isScript(v)) ? v : String(v));
  const wrap = (o, p, set) => {
    const d = desc(o, p);
    if (d) Object.defineProperty(o, p, { ...d, set(v) { set.call(this, v, d.set) } });
  };

  let hosts = []; // [RegExp of a host pattern, category id]
  let jar = []; // [RegExp of a declared cookie name, category id]
  let decide; // the core's allowed(), handed over through the channel
  // element -> {attribute: value}, in the order first held. A Map: O(1) per
  // call however much is held (held elements stay referenced until released).
  const held = new Map();
  const hold = (e, a, v) => held.set(e, { ...held.get(e), [a]: v });

  const configure = (c) => {
    hosts = [];
    jar = [];
    // Host patterns and cookie names are both globs: "*" is any run of
    // characters, so "*.a.com" needs the dot and never matches a.com.
    const add = (list, p, id) => list.push([RegExp(`^${p.replace(/\W/g, "\\$&").replace(/\\\*/g, ".*")}$`), id]);
    for (const k of c.categories || []) {
      if (k.required) continue;
      for (const h of k.hosts || []) add(hosts, h.toLowerCase(), k.id);
      for (const x of k.cookies || []) add(jar, x.name || x, k.id);
    }
  };
  const allowed = (id) => decide && decide(id);
  /** The category of a URL's host as the browser parses it, or undefined. */
  const category = (url) => {
    let h;
    try {
      h = new URL(url, D.baseURI).hostname.replace(/\.+$/, "");
    } catch {
      return;
    }
    for (const [r, id] of hosts) if (r.test(h)) return id;
  };
  /** Whether attribute `a` = `v` has to wait (any other `a`: v is a URL). */
  const blocked = (a, v) => {
    if (a == "srcdoc") return scan(frag(v), 1);
    const id = category(v);
    return id && !allowed(id);
  };
  /** Attributes that make an element fetch or navigate. <a> and <area> only navigate when clicked. */
  const urlish = (e, a) => /^(src|poster|srcdoc)$/.test(a) || (a == "href" && !/^a(rea)?$/.test(e.localName));
  /** A script with a type the browser runs; `type="text/plain"` (CONTRACT §4) waits for the core. */
  const live = (e) => e.localName != "script" || /^(|module|.*script.*)$/i.test(e.getAttribute("type")?.trim() ?? "");

  /** Holds attribute `a` = `v` of `e` when it must wait; true when held. */
  const gate = (e, a, v) => {
    delete held.get(e)?.[a]; // the latest value counts
    return urlish(e, a) && live(e) && blocked(a, v) && !!hold(e, a, v);
  };

  /** Releases what is now allowed, in the order it was held. */
  const sync = () => {
    for (const [e, h] of held) {
      if (Object.keys(h).some((a) => blocked(a, h[a]))) continue;
      held.delete(e);
      // A connected script that had no src and no text never started, so
      // giving it its src now runs it: the element (and the handlers the
      // inserting script put on it) is kept, no copy needed. Non-async
      // scripts run in the order they got their src: the order held.
      if (e.localName == "script") e.async = false;
      for (const a in h) setAttr.call(e, a, h[a]);
    }
  };

  /**
   * Holds what markup (parser, innerHTML, clones, fragments) brought in under
   * n, or with `dry` only says whether anything would be held.
   */
  const scan = (n, dry) => {
    let any;
    for (const e of [n, ...(n.querySelectorAll?.("[src],[*|href],[srcdoc],[poster]") || [])]) {
      for (const x of [...(e.attributes || [])]) {
        // xlink:href counts as href (localName) and is given back as href.
        const a = x.localName;
        const v = x.value;
        if (!(urlish(e, a) && live(e) && blocked(a, v))) continue;
        any = 1;
        // Observer callbacks run before the parser prepares a script, so a
        // parser-inserted one loses its src before it could start.
        if (!dry) hold(e, a, v), e.removeAttributeNode(x);
      }
    }
    return any;
  };
  const frag = (html) => {
    const t = D.createElement("template");
    t.innerHTML = html; // a template: the setter below passes it straight through
    return t.content;
  };

  // --- config: the first <script type="application/json" id="consentry-config">
  // before us (CONTRACT §2), else the baked default; one that only appears
  // later replaces the list at DOMContentLoaded. No other element with that
  // id is read: user content that kept its id must not rewrite the list.
  const inline = () => {
    let s;
    for (const e of D.querySelectorAll('[id="consentry-config"]')) {
      if (!s && e instanceof HTMLScriptElement && /^application\/json$/i.test(e.type)) s = e;
      else console.warn(`consentry: ignored <${e.localName} id="consentry-config">: not the first JSON script`);
    }
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

  // --- attributes: property setters, setAttribute(NS), setAttributeNode(NS),
  // Attr.value. (wrap() skips the pairs a prototype lacks.)
  for (const n of ["Script", "Image", "IFrame", "Media", "Source", "Track", "Embed", "Input", "Link", "Base", "Video"]) {
    for (const p of ["src", "href", "poster", "srcdoc"]) {
      wrap(W[`HTML${n}Element`].prototype, p, function (v, set) {
        v = str(v);
        gate(this, p, v) || set.call(this, v);
      });
    }
  }
  EP.setAttribute = function (n, v) {
    v = str(v);
    gate(this, String(n).toLowerCase(), v) || setAttr.call(this, n, v);
  };
  const setNS = EP.setAttributeNS;
  EP.setAttributeNS = function (ns, n, v) {
    v = str(v);
    gate(this, String(n).split(":").pop(), v) || setNS.call(this, ns, n, v);
  };
  for (const m of ["setAttributeNode", "setAttributeNodeNS"]) {
    const o = EP[m];
    EP[m] = function (x) {
      return gate(this, x.localName, x.value) ? null : o.call(this, x);
    };
  }
  wrap(Attr.prototype, "value", function (v, set) {
    const e = this.ownerElement;
    v = str(v);
    (e && gate(e, this.localName, v)) || set.call(this, v);
  });

  // --- HTML sinks: markup is parsed into an inert template first, so nothing
  // in it loads before it has been checked: the observer comes too late for
  // iframes (they navigate as they connect) and for images (adopting one
  // queues its fetch before the observer's callback). Markup with nothing to
  // hold takes the browser's own path.
  const parse = (html) => {
    if (!/(src|href|srcdoc|poster)\s*=/i.test(html)) return;
    const f = frag(html);
    return scan(f) && f;
  };
  const sink = (P, p, put) =>
    wrap(P, p, function (v, set) {
      const f = this.localName != "template" && parse(v);
      f ? this[put](f) : set.call(this, v);
    });
  sink(EP, "innerHTML", "replaceChildren");
  sink(SP, "innerHTML", "replaceChildren");
  sink(EP, "outerHTML", "replaceWith");
  const adjacent = EP.insertAdjacentHTML;
  EP.insertAdjacentHTML = function (where, html) {
    const f = parse(html);
    f ? this.insertAdjacentElement(where, D.createElement("i")).replaceWith(f) : adjacent.call(this, where, html);
  };
  for (const P of [EP, SP]) {
    const o = P.setHTMLUnsafe;
    if (o) {
      P.setHTMLUnsafe = function (html) {
        const f = this.localName != "template" && parse(html);
        f ? this.replaceChildren(f) : o.call(this, html);
      };
    }
  }

  // --- nodes: every way a node enters this document is checked before it
  // does (scripts run and iframes navigate as they connect); clones and
  // fragments right after they are made (an image fetches once it belongs
  // to this document, a microtask later).
  const guard = (P, names, after) => {
    for (const m of names.split(" ")) {
      const o = P[m];
      if (o) {
        P[m] = function (...a) {
          if (!after) for (const n of a) n?.nodeType && scan(n);
          const r = o.apply(this, a);
          if (after && r?.nodeType) scan(r);
          return r;
        };
      }
    }
  };
  guard(NP, "appendChild insertBefore replaceChild");
  guard(EP, "append prepend before after replaceWith replaceChildren insertAdjacentElement");
  guard(CharacterData.prototype, "before after replaceWith");
  guard(DP, "append prepend replaceChildren adoptNode");
  guard(RP, "insertNode surroundContents");
  guard(NP, "cloneNode", 1);
  guard(DP, "importNode", 1);
  guard(RP, "createContextualFragment", 1);
  // The parser, and anything the wrappers above do not see: attribute
  // changes by other means arrive here before an image's fetch starts.
  const opts = { childList: true, subtree: true, attributes: true, attributeFilter: ["src", "href", "srcdoc", "poster"] };
  const mo = new MutationObserver((rs) => {
    for (const r of rs) for (const n of r.type == "attributes" ? [r.target] : r.addedNodes) scan(n);
  });
  mo.observe(D, opts);
  const shadow = EP.attachShadow;
  EP.attachShadow = function (o) {
    const r = shadow.call(this, o);
    mo.observe(r, opts);
    return r;
  };
  // new Audio(url) sets its src inside the browser: give it through the setter.
  const A = W.Audio;
  W.Audio = function (u) {
    const a = new A();
    if (u !== undefined) a.src = u;
    return a;
  };
  W.Audio.prototype = A.prototype;

  // --- network calls: dropped (not queued) while their category is refused.
  const f = W.fetch;
  W.fetch = function (r, ...o) {
    if (!(r instanceof Request) && r != null) r = String(r); // read once: what is checked is what goes
    return blocked(0, r?.url ?? r) ? Promise.reject(TypeError("consentry: held")) : f.call(this, r, ...o);
  };
  const NavP = Navigator.prototype;
  const beacon = NavP.sendBeacon;
  NavP.sendBeacon = function (u) {
    return !blocked(0, u) && beacon.apply(this, arguments);
  };
  const XP = XMLHttpRequest.prototype;
  const open = XP.open;
  XP.open = function (m, u) {
    // send() of a held request does nothing: readyState stays OPENED.
    blocked(0, u) ? (this.send = Object) : delete this.send;
    return open.apply(this, arguments);
  };

  // --- cookies: a write that would leave a declared cookie of a refused
  // category in the jar is not made; one that removes it always goes
  // through. What a write does is the browser's to say (Max-Age beats
  // Expires, leading zeros, date formats, invalid attributes): the same
  // attributes are tried on a probe cookie first, made visible here by a
  // last Path=/, and only its presence is read.
  wrap(DP, "cookie", function (v, set) {
    const s = String(v);
    const pair = s.split(";")[0];
    const name = pair.includes("=") ? pair.split("=")[0].replace(/^[ \t]+|[ \t]+$/g, "") : "";
    const k = jar.find(([g]) => g.test(name));
    if (k && !allowed(k[1])) {
      const probe = name + "-consentry-probe";
      const rest = s.slice(pair.length) + ";path=/";
      set.call(this, probe + "=1" + rest);
      const kept = ("; " + this.cookie).includes("; " + probe + "=");
      set.call(this, probe + "=" + rest + ";max-age=0");
      if (kept) return;
    }
    set.call(this, s);
  });

  // --- the channel: the core, and only the core, hands over its allowed().
  // The property cannot be replaced or deleted, answers once, and only while
  // consentry.js itself runs (the script the browser is executing, read
  // through getters captured above): a page script calling it gets nothing.
  // consentry:change only makes the prelude ask the core again.
  Object.defineProperty(W, "__consentryPrelude", {
    value(fn) {
      try {
        if (!decide && /\/consentry\.js$/.test(new URL(srcOf.call(current.call(D))).pathname)) {
          decide = fn;
          return sync;
        }
      } catch {}
    },
  });
  addEventListener("consentry:change", sync);
})();
