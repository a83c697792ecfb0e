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

const KEY = "consentry:ledger";
const MAX = 50; // the oldest receipts go beyond this: storage is not unbounded

const hex = async (text) =>
  [...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)))]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");

/** Starts sending receipts for `text` (the config JSON the page runs with). */
export function ledger(text, api) {
  let config;
  try {
    config = JSON.parse(text);
  } catch {
    return;
  }
  const endpoint = config && config.ledger && config.ledger.endpoint;
  if (typeof endpoint !== "string" || !endpoint || !window.crypto || !crypto.subtle) return;
  const url = new URL(endpoint, document.baseURI).href;
  const canonical = JSON.stringify(config);
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
    const q = load();
    const kept = q.some((x) => x.event_id === receipt.event_id) || save([...q, receipt]);
    await flush(kept ? undefined : receipt);
  };
  let last = api.get();
  addEventListener("consentry:change", (e) => {
    last = e.detail;
    send("decision", e.detail);
  });
  addEventListener("consentry:reset", () => {
    if (last) send("withdrawal", last);
    last = null;
  });
  flush();
}
