// Receipts for the consent ledger (consentry-server). With `[ledger]
// endpoint` in the config, every decision and every withdrawal is sent as a
// receipt; without it this does nothing and sends nothing.
//
// A receipt goes into a small localStorage queue first and leaves it only
// when the ledger answered (2xx, or a 4xx that a resend cannot fix), so a
// receipt that could not be delivered (offline, server down, page closed
// mid-request) is sent again on a later page view. Its event id is derived
// from the record itself, so the same decision seen by several tabs, or
// sent twice, is stored once (the ledger is idempotent on event ids).
//
// Account panels (mountPreferences) also get the visitor's history from the
// ledger: one row per stored event, newest first. What the ledger answers is
// untrusted text: it reaches the page through textContent only.
//
// A signed-in page puts an account token in `ledger.account` (the site's
// backend mints it; README, "Consent ledger"). Receipts then carry it, and
// at start this asks the ledger for the account's latest decision: when
// this device has none or an older one, it is applied through the core's
// own checks with method "account" (adopt, which the entry hands over and
// the public object does not have); a newer withdrawal is applied as one.

const KEY = "consentry:ledger";
const MAX = 50; // the oldest receipts go beyond this: storage is not unbounded

const hex = async (text) =>
  [...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)))]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");

/**
 * Starts sending receipts for `text` (the config JSON the page runs with).
 * `core` is the started wasm object, kept from the page: its
 * `adopt(categoriesJson, updatedSeconds)` applies the account's decision.
 * `release()` lets the first layer show (core.js holdForAccount): called
 * once the account has answered, or when there is nothing to wait for.
 */
export function ledger(text, api, core, release = () => {}) {
  let answer;
  try {
    answer = start(text, api, core);
  } finally {
    if (answer) answer.then(release, release);
    else release();
  }
}

/** Sets the receipts up; returns the account's answer when it asks for one. */
function start(text, api, core) {
  let config;
  try {
    config = JSON.parse(text);
  } catch {
    return;
  }
  const endpoint = config && config.ledger && config.ledger.endpoint;
  if (typeof endpoint !== "string" || !endpoint || !window.crypto || !crypto.subtle) return;
  const url = new URL(endpoint, document.baseURI).href;
  // The token is the page's, not the config's: the hash leaves it out, so
  // it is the config the ledger registered.
  const { account: token, ...rest } = config.ledger;
  const canonical = JSON.stringify(token === undefined ? config : { ...config, ledger: rest });
  const signedIn = typeof token === "string" && token.length > 0 && token.length <= 256;
  const load = () => {
    try {
      const q = JSON.parse(localStorage.getItem(KEY) || "[]");
      return Array.isArray(q) ? q : [];
    } catch {
      return [];
    }
  };
  const save = (q) => {
    try {
      if (q.length) localStorage.setItem(KEY, JSON.stringify(q.slice(-MAX)));
      else localStorage.removeItem(KEY);
      return true;
    } catch {
      return false;
    }
  };
  // One drain at a time, in order: a receipt queued while another is in
  // flight goes next, and the ledger stores them in the order they were made.
  let running = Promise.resolve();
  const drain = async (extra) => {
    const q = load();
    for (const r of extra && !q.some((x) => x.event_id === extra.event_id) ? [...q, extra] : q) {
      let res;
      try {
        res = await fetch(url, { method: "POST", body: JSON.stringify(r), keepalive: true, credentials: "omit" });
      } catch {
        return; // offline or the ledger is down: keep the queue for later
      }
      if (res.status === 429 || res.status >= 500) return;
      if (!res.ok) console.error(`consentry: the ledger refused a receipt (${res.status})`);
      save(load().filter((x) => x.event_id !== r.event_id));
    }
  };
  // `extra`: a receipt storage refused to keep; it is still sent once, now.
  const flush = (extra) => (running = running.then(() => drain(extra)));
  const send = async (kind, record) => {
    const root = document.querySelector('[data-consentry="root"]');
    const lang = (root && root.getAttribute("lang")) || (config.languages || ["en"])[0];
    const body = JSON.stringify(record);
    const receipt = {
      event_id: (await hex(kind + "\n" + body)).slice(0, 32),
      kind,
      record,
      config_hash: await hex("consentry-config-v1\n" + lang + "\n" + canonical),
      gpc: navigator.globalPrivacyControl === true,
      page: location.origin + location.pathname,
      sent: new Date().toISOString(),
    };
    if (signedIn) receipt.account = token;
    const q = load();
    const kept = q.some((x) => x.event_id === receipt.event_id) || save([...q, receipt]);
    await flush(kept ? undefined : receipt);
  };
  let last = api.get();
  // The history shown is the last record's: after a withdrawal it still
  // shows what was taken back, until the next decision starts a new one.
  let id = last && last.id;
  const show = history(config, url, () => id, signedIn, api);
  addEventListener("consentry:change", (e) => {
    last = e.detail;
    id = last.id;
    send("decision", e.detail).finally(show);
  });
  addEventListener("consentry:reset", () => {
    if (last) send("withdrawal", last).finally(show);
    last = null;
  });
  flush();
  if (signedIn) return follow(url, token, config, api, core, send);
}

const time = (s) => (/^\d{4}-\d\d-\d\dT/.test(s) ? Date.parse(s) : NaN);

/**
 * Asks the ledger for the account's latest decision and applies it when it
 * is newer than this device's; tells the ledger about this device's own
 * decision when that one is newer (or the account has none yet).
 */
async function follow(url, token, config, api, core, send) {
  let res, body;
  try {
    // Beside the receipts endpoint: …/consent/events -> …/consent/account.
    // The token goes in a header, never in the address (logs keep those).
    res = await fetch(new URL("account", url), {
      headers: { Authorization: "Bearer " + token },
      credentials: "omit",
      cache: "no-store",
    });
    body = res.ok ? await res.json() : null;
  } catch {
    return; // offline or the ledger is down: this device keeps its choices
  }
  const mine = api.get();
  if (res.status === 204) {
    if (mine) send("decision", mine); // the account's first: from this device
    return;
  }
  if (!body || typeof body !== "object") {
    console.warn(`consentry: the ledger did not accept the account token (${res.status}); this device keeps its own choices`);
    return;
  }
  const r = body.record && typeof body.record === "object" ? body.record : {};
  const at = body.kind === "withdrawal" ? time(body.sent) : time(r.updated);
  if (!Number.isFinite(at)) return;
  const local = mine ? time(mine.updated) : -Infinity;
  if (body.kind === "decision" && r.revision === (config.revision ?? 1) && r.categories && typeof r.categories === "object") {
    if (local < at) {
      try {
        core.adopt(JSON.stringify(r.categories), at / 1000);
      } catch (e) {
        console.warn(`consentry: the account's decision does not fit this page's config (${e.message})`);
      }
    } else if (local > at) send("decision", mine);
  } else if (body.kind === "withdrawal" && mine && local < at) api.reset();
}

// The history's own words. The dialog's method texts and category titles
// come from the config, so a site's [ui.<lang>] method_* texts apply here too.
const WORDS = {
  en: ["Consent history", "Date", "Action", "How", "Allowed", "Choice saved", "Consent withdrawn",
    "Your consent history cannot be shown right now. Your choices still apply.",
    "Accepted all", "Rejected all", "Chosen in the preferences", "From your account",
    "You are signed in: these choices apply on all your devices.",
    "Email tracking (opening our emails, following their links)", "allowed", "not allowed"],
  ru: ["История согласий", "Дата", "Действие", "Как", "Разрешено", "Выбор сохранён", "Согласие отозвано",
    "Историю согласий сейчас не удаётся показать. Ваш выбор по-прежнему действует.",
    "Приняты все", "Отклонены все", "Выбрано в настройках", "Из вашей учётной записи",
    "Вы вошли в учётную запись: этот выбор действует на всех ваших устройствах.",
    "Отслеживание писем (открытие наших писем, переходы по ссылкам)", "разрешено", "не разрешено"],
};
const METHODS = ["accept-all", "reject-all", "custom", "account"];

/**
 * Keeps a history box after the record of every account panel, now and
 * later; returns the function that fetches the history again.
 */
function history(config, endpoint, current, signedIn, api) {
  let n = 0;
  let asked = 0;
  const boxes = () => [...document.querySelectorAll('[data-consentry="panel"]')];
  const show = async () => {
    const id = current();
    const mine = ++asked;
    let events;
    if (id) {
      try {
        // The records endpoint sits beside the receipts one:
        // …/consent/events -> …/consent/records/{id}.
        const res = await fetch(new URL("records/" + encodeURIComponent(id), endpoint), { credentials: "omit" });
        const body = res.ok ? await res.json() : res.status === 404 ? { events: [] } : null;
        events = body && Array.isArray(body.events) ? body.events : undefined;
      } catch {
        events = undefined;
      }
    } else events = [];
    if (mine !== asked) return; // a newer answer is on its way
    for (const panel of boxes()) render(panel, events);
  };
  const render = (panel, events) => {
    const lang = panel.getAttribute("lang") || document.documentElement.lang || "en";
    const w = WORDS[/^ru\b/i.test(lang) ? "ru" : "en"];
    const ui = (config.ui && (config.ui[lang] || config.ui[lang.split("-")[0]])) || {};
    if (signedIn) account(panel, w, config, api);
    let box = panel.querySelector(':scope > [data-consentry="history"]');
    if (!box) {
      box = make("div", "cst-record");
      box.dataset.consentry = "history";
      box.id = "cst-history-" + ++n;
      panel.append(box);
    }
    // No record yet, or none stored: nothing to show.
    box.hidden = events !== undefined && !events.length;
    if (box.hidden) return box.replaceChildren();
    const title = make("h3", "cst-record-title", w[0]);
    title.id = box.id + "-title";
    if (!events) return box.replaceChildren(title, make("p", "cst-note", w[7]));
    const text = (v) => (v && typeof v === "object" ? v[lang] || v[lang.split("-")[0]] || Object.values(v)[0] : v);
    const table = make("table", "cst-table");
    table.setAttribute("aria-labelledby", title.id);
    const head = make("tr");
    for (const t of w.slice(1, 5)) {
      const th = make("th", "", t);
      th.scope = "col";
      head.append(th);
    }
    const rows = [...events].reverse().map((e) => {
      e = e && typeof e === "object" ? e : {};
      const row = make("tr");
      // Only an ISO-8601 time is read as one: Date() reads almost anything.
      const sent = e.sent || e.received;
      const at = new Date(/^\d{4}-\d\d-\d\dT/.test(sent) ? sent : NaN);
      const when = make("th");
      when.scope = "row";
      if (isNaN(at)) when.textContent = str(sent);
      else {
        const time = make("time", "", at.toLocaleString(lang, { dateStyle: "medium", timeStyle: "short" }));
        time.dateTime = at.toISOString();
        when.append(time);
      }
      const m = METHODS.indexOf(e.method);
      // In the config's order, by their titles; ids the config lacks last.
      const on = Object.keys(Object(e.categories)).filter((k) => e.categories[k] === true);
      const known = (config.categories || []).filter((c) => c && on.includes(c.id));
      const allowed = [
        ...known.map((c) => String(text(c.title) || c.id)),
        ...on.filter((k) => !known.some((c) => c.id === k)),
      ];
      row.append(
        when,
        make("td", "", e.kind === "withdrawal" ? w[6] : e.kind === "decision" ? w[5] : str(e.kind)),
        make("td", "", m < 0 ? str(e.method) : ui["method_" + e.method.replace("-", "_")] || w[8 + m]),
        make("td", "", allowed.length ? new Intl.ListFormat(lang, { type: "unit" }).format(allowed) : "—"),
      );
      return row;
    });
    const wrap = make("div", "cst-table-wrap");
    wrap.append(table);
    table.append(make("thead"), make("tbody"));
    table.tHead.append(head);
    table.tBodies[0].append(...rows);
    box.replaceChildren(title, wrap);
  };
  // Panels mounted later (mountPreferences after init) get theirs on arrival.
  let seen = new Set();
  new MutationObserver(() => {
    const now = boxes();
    if (now.some((p) => !seen.has(p))) show();
    seen = new Set(now);
  }).observe(document.documentElement, { childList: true, subtree: true });
  if (boxes().length) {
    seen = new Set(boxes());
    show();
  }
  return show;
}

/**
 * A signed-in panel's own lines: that its choices follow the account, and
 * email tracking under the category it depends on, with its saved state.
 */
function account(panel, w, config, api) {
  const record = panel.querySelector(':scope > [data-consentry="record"]');
  let note = panel.querySelector(':scope > [data-consentry="account"]');
  if (!note) {
    note = make("p", "cst-note", w[12]);
    note.dataset.consentry = "account";
    (record || panel.lastElementChild).after(note);
  }
  const cat = (config.ledger && config.ledger.email_category) || "marketing";
  const sw = [...panel.querySelectorAll("input[data-consentry-category]")].find((i) => i.dataset.consentryCategory === cat);
  const item = sw && sw.closest("li");
  if (!item) return;
  let line = item.querySelector(':scope > [data-consentry="email"]');
  if (!line) {
    line = make("p", "cst-note cst-email");
    line.dataset.consentry = "email";
    line.id = sw.id + "-email";
    item.append(line);
    sw.setAttribute("aria-describedby", `${sw.getAttribute("aria-describedby") || ""} ${line.id}`.trim());
  }
  line.textContent = `${w[13]}: ${api.allowed(cat) ? w[14] : w[15]}`;
}

const str = (v) => (v == null || v === "" ? "—" : String(v));

function make(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}
