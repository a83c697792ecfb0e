// The public Consentry object, shared by the ES module and the script tag.
// It exists (with `ready`) before the wasm has loaded; methods that change
// consent throw a clear error until then, and reads fail closed.

/* global CONSENTRY_CSS CONSENTRY_BUILTIN_LEDGER */

/** Key of the getter that tells whether an API object failed to start. */
export const FAILED = Symbol.for("consentry.failed");

const NOT_READY = "consentry is not ready yet: wait for Consentry.ready";

/**
 * Builds the API object, the two functions that settle it and the gate's
 * hook to the ask part. `tell` is the prelude's channel when this entry
 * claimed it (see script.js): settle() calls it so the prelude releases
 * what is now allowed in the same task. `loadAsk()` fetches the ask part
 * (once; the entry memoises it) and resolves to its exports (`Ask`,
 * `defaultConfig`).
 */
export function facade(tell, loadAsk) {
  let core = null;
  let failure = null;
  // The ask part (preferences, account panels): loaded on first need, then
  // kept in step with the gate's record.
  let ask = null;
  let asking = null;
  // show() and hide() count up: preferences asked for while the part was
  // loading do not open once either came after them.
  let hides = 0;
  let resolve, reject;
  const ready = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A failed start is reported in the console; a site that never awaits
  // `ready` must not see an unhandled rejection.
  ready.catch(() => {});

  const need = (name) => {
    if (core) return core;
    throw new Error(`Consentry.${name}(): ${failure ? "consentry failed to start: " + failure.message : NOT_READY}`);
  };
  // The wasm cannot panic by design; if it ever traps, the page gets an
  // Error naming the call rather than a bare "RuntimeError: unreachable".
  const call = (name, run) => {
    const c = need(name);
    try {
      return run(c);
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) throw new Error(`Consentry.${name}(): internal error (${e.message})`);
      throw e;
    }
  };
  // The ask part's controls act through the gate, like a page script
  // would: the gate decides, stores and announces, then calls `hook`.
  const send = (action, json) => {
    try {
      if (action === "accept-all") core.acceptAll();
      else if (action === "reject-all") core.rejectAll();
      else if (action === "save") core.set(json);
      else if (action === "withdraw") core.reset();
    } catch (e) {
      console.error(`consentry: ${e.message}`);
    }
  };
  const part = () =>
    (asking ||= (loadAsk ? loadAsk() : Promise.reject(new Error("this build has no ask part")))
      .then((m) => {
        // After the gate's styles (added when it started): the layers'
        // rules win over its reset by coming later.
        style(m.css);
        ask = new m.Ask(core.config(), core.lang(), core.gpc(), core.root(), core.reopen(), send);
        return ask;
      })
      .catch((e) => {
        console.error(`consentry: the dialog could not load (${e && e.message}); nothing optional loads until a choice is made`);
        asking = null;
        throw e;
      }));
  // Runs `f` on the ask part now when it is loaded, else once it is (if
  // `still()` then holds). Errors from the part are reported, never thrown.
  const when = (f, still = () => true) => {
    const mine = hides;
    const run = (a) => {
      try {
        a.sync(core.stored(), core.canStore());
        f(a);
      } catch (e) {
        console.error(`consentry: ${e.message}`);
      }
    };
    if (ask) return run(ask);
    return part().then((a) => still(mine) && run(a), () => {});
  };
  const unchanged = (mine) => mine === hides;
  // The gate's hook (src/web/frame.rs): 1 open the preferences, 2 decided,
  // 3 withdrawn, 4 close the preferences. Only the first needs the part;
  // the others concern what it shows, so they wait for nothing.
  const hook = (what, opener) => {
    if (what === 1) return when((a) => a.preferences(opener), unchanged);
    if (what === 4) hides++;
    if (!ask) return;
    when((a) => (what === 2 ? a.decided() : what === 3 ? a.withdrawn() : a.hide()));
  };
  // The pointer on a way into the preferences, or the keyboard's focus on
  // the first layer's Preferences button, starts the download, so the
  // dialog is there sooner after the click. (Not focus on the reopen
  // control: the gate moves focus there after every decision.)
  const warm = (selector) => (e) => {
    if (!asking && e.target instanceof Element && e.target.closest(selector)) {
      part().catch(() => {});
    }
  };
  const api = {
    ready,
    get() {
      const json = core ? core.get() : undefined;
      return json === undefined ? null : JSON.parse(json);
    },
    allowed(category) {
      return core ? core.allowed(String(category)) : false;
    },
    acceptAll() {
      call("acceptAll", (c) => c.acceptAll());
    },
    rejectAll() {
      call("rejectAll", (c) => c.rejectAll());
    },
    set(choices) {
      if (choices === null || typeof choices !== "object" || Array.isArray(choices)) {
        throw new TypeError("Consentry.set(): expects an object of category ids to true or false");
      }
      call("set", (c) => c.set(JSON.stringify(choices)));
    },
    show() {
      call("show", (c) => c.show());
    },
    showPreferences() {
      need("showPreferences");
      when((a) => a.preferences(), unchanged);
    },
    hide() {
      call("hide", (c) => c.hide());
    },
    reset() {
      call("reset", (c) => c.reset());
    },
    on(event, callback) {
      if (event !== "change" && event !== "reset") {
        throw new Error(`Consentry.on(): unknown event "${event}"; the events are "change" and "reset"`);
      }
      if (typeof callback !== "function") {
        throw new TypeError("Consentry.on(): the callback must be a function");
      }
      // A reset has no record to pass: its callback gets no argument.
      const listener = event === "change" ? (e) => callback(e.detail) : () => callback();
      const name = "consentry:" + event;
      addEventListener(name, listener);
      return () => removeEventListener(name, listener);
    },
    mountPreferences(element) {
      if (!(element instanceof HTMLElement)) {
        throw new TypeError("Consentry.mountPreferences(): expects an HTMLElement");
      }
      need("mountPreferences");
      when((a) => a.mount(element));
    },
  };
  // Lets a later init() see that this one failed and start afresh.
  Object.defineProperty(api, FAILED, { get: () => failure !== null });
  Object.freeze(api);
  return {
    api,
    hook,
    /**
     * The config text for ledger receipts when the config has a [ledger]
     * table (`inline`: the page's JSON text, or undefined for the built-in
     * config, whose full text comes with the ask part), else undefined.
     */
    async ledgerConfig(inline) {
      if (inline === undefined) return CONSENTRY_BUILTIN_LEDGER ? (await loadAsk()).defaultConfig() : undefined;
      return inline.includes('"ledger"') ? inline : undefined;
    },
    settle(started) {
      // The API answers from here on, so gated inline scripts that begin()
      // runs can already call allowed() and get().
      core = started;
      try {
        core.begin();
      } catch (e) {
        core = null;
        throw e;
      }
      // Styles are parsed only now, in the same task that built the dialog
      // (no frame is drawn in between), so a returning visitor's scripts
      // are requested before ~3 ms of CSS parsing, and page scripts waiting
      // for DOMContentLoaded do not wait for it either.
      style(typeof CONSENTRY_CSS === "string" ? CONSENTRY_CSS : "");
      // The prelude releases what it held in this task, before
      // `consentry:ready`; it asks this api's allowed() and nothing else.
      if (tell) tell();
      const root = core.root();
      if (root) {
        root.addEventListener("pointerover", warm('[data-consentry-action="open-preferences"],[data-consentry="reopen"]'));
        root.addEventListener("focusin", warm('[data-consentry-action="open-preferences"]'));
      }
      resolve();
      dispatchEvent(new Event("consentry:ready"));
    },
    fail(error) {
      failure = error instanceof Error ? error : new Error(String(error));
      console.error(`consentry: ${failure.message.replace(/\.+$/, "")}. Nothing optional will load on this page.`);
      reject(failure);
    },
  };
}

// The instance window.Consentry answers with. One that failed to start keeps
// answering (fail-closed: allowed() is false) until a later init() starts
// another, which takes its place (issue 18).
let current;
const expose = () => current;

/**
 * Whether an own `window.Consentry` property is one a consentry entry made
 * (publish() below, in this bundle or the other one): a locked getter with no
 * setter whose value is a frozen API object of the same shape. Anything else
 * there is another script's, and consentry does not run beside it.
 */
export function ours(d, api) {
  if (d.configurable || d.set || !d.get) return false;
  let v;
  try {
    v = d.get.call(window);
  } catch {
    return false;
  }
  return !!v && Object.isFrozen(v) && v.ready instanceof Promise && `${Object.keys(v)}` == `${Object.keys(api)}`;
}

/** Reports a window.Consentry that consentry did not make. Nothing it gates will load. */
export function taken() {
  console.error("consentry: window.Consentry is taken by another script; consentry did not start");
}

/**
 * Puts `api` on window as a property other scripts cannot replace: a
 * locked getter for `current`, which only this module changes.
 */
export function publish(api) {
  current = api;
  if (Object.getOwnPropertyDescriptor(window, "Consentry")?.get === expose) return;
  try {
    Object.defineProperty(window, "Consentry", { get: expose, enumerable: true, configurable: false });
  } catch {
    // Someone defined it first and locked it: leave the page's choice alone.
  }
}

/**
 * Adds `css` (the gate's styles, or the ask part's) without inline <style>,
 * so strict CSPs pass. A page that links consentry.css has both already.
 * Each bundle passes its own define, so it carries only its own styles.
 */
export function style(css) {
  if (!css || document.querySelector("link[data-consentry-css],link[href$='consentry.css']")) return;
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  } catch {
    const el = document.createElement("style");
    el.textContent = css;
    document.head.append(el);
  }
}

/**
 * The page's config block: the first JSON script with that id, the element
 * the core reads (src/web/dom.rs), never another that merely carries the id.
 */
export const CONFIG = 'script[type="application/json" i]#consentry-config';

/**
 * On a signed-in page (`ledger.account` in the config text) of a device
 * without a decision, the first layer waits for the account's answer, so a
 * visitor who decided on another device is not shown it for a moment:
 * `data-consentry-decided` on <html> hides it (gate.css, the rule the early
 * snippet uses). Returns the release, which ledger.js calls once the
 * account answered (or failed); it also comes by itself after 3 s.
 */
export function holdForAccount(text, api) {
  let token;
  try {
    token = JSON.parse(text)?.ledger?.account;
  } catch {
    // The core reports a config it cannot read.
  }
  if (typeof token !== "string" || !token || api.get()) return () => {};
  const html = document.documentElement;
  html.setAttribute("data-consentry-decided", "");
  let held = true;
  const release = () => {
    if (held) html.removeAttribute("data-consentry-decided");
    held = false;
  };
  setTimeout(release, 3000);
  return release;
}

/** Resolves once the document has a body and has been parsed. */
export function domReady() {
  return document.readyState === "loading"
    ? new Promise((res) => document.addEventListener("DOMContentLoaded", res, { once: true }))
    : Promise.resolve();
}
