// Compiled by `npm test` with `tsc --noEmit --strict` (tests/types/tsconfig.json):
// a consumer of the published types. "consentry" resolves through the
// package's own `exports` (self-reference), exactly as an installed package.
import { init, type Config, type ConsentRecord, type Consentry } from "consentry";

const config: Config = {
  revision: 2,
  policy_url: "/privacy-policy",
  languages: ["en", "ru"],
  cookie: { name: "consentry", max_age_days: 182, domain: ".example.com" },
  categories: [
    { id: "security", title: { en: "Security", ru: "Безопасность" }, required: true },
    {
      id: "analytics",
      title: "Analytics",
      description: { en: "Counts visits." },
      hosts: ["*.google-analytics.com"],
      cookies: [{ name: "_ga", provider: "Google", purpose: { en: "Tells visitors apart" }, duration: "2 years" }, { name: "_ga_*" }],
      storage: ["_ga*"],
      gpc: true,
    },
  ],
  google_consent_mode: { analytics: ["analytics_storage"] },
  reload_on_withdraw: false,
  ui: { en: { accept_all: "Allow all", method_account: "From your account" } },
  ledger: { endpoint: "/consent/events", account: "v1.YQ.1800000000.tag" },
};

// @ts-expect-error categories is required
const missing: Config = { revision: 1 };
// @ts-expect-error not a Consent Mode type
const badMode: Config = { categories: [], google_consent_mode: { a: ["cookies"] } };
// @ts-expect-error not a dialog text
const badUi: Config = { categories: [], ui: { en: { banner_titel: "x" } } };
// @ts-expect-error the account token is a string
const badAccount: Config = { categories: [], ledger: { account: 42 } };
void missing, badMode, badUi, badAccount;

async function main(): Promise<void> {
  const consent: Consentry = await init(config);
  const again: Promise<Consentry> = init();
  void again;
  await consent.ready;

  const record: ConsentRecord | null = consent.get();
  if (record) {
    const id: string = record.id;
    const rev: number = record.revision;
    const when: string = record.given + record.updated;
    const how: "accept-all" | "reject-all" | "custom" | "account" = record.method;
    const analytics: boolean | undefined = record.categories["analytics"];
    void id, rev, when, how, analytics;
  }
  const ok: boolean = consent.allowed("analytics");
  void ok;
  consent.acceptAll();
  consent.rejectAll();
  consent.set({ analytics: true, marketing: false });
  // @ts-expect-error choices are booleans
  consent.set({ analytics: "yes" });
  consent.show();
  consent.showPreferences();
  consent.hide();
  consent.reset();
  const off: () => void = consent.on("change", (r: ConsentRecord) => console.log(r.method));
  off();
  const offReset: () => void = consent.on("reset", () => console.log(consent.get() === null));
  offReset();
  // @ts-expect-error a reset passes no record
  consent.on("reset", (r: ConsentRecord) => console.log(r.method));
  // @ts-expect-error the events are "change" and "reset"
  consent.on("ready", () => {});
  consent.mountPreferences(document.createElement("div"));

  // The script tag's global and the window events.
  const global: Consentry | undefined = window.Consentry;
  await global?.ready;
  addEventListener("consentry:change", (e) => {
    const r: ConsentRecord = e.detail;
    void r;
  });
  addEventListener("consentry:ready", () => {});
  addEventListener("consentry:reset", (e) => {
    const nothing: null = e.detail;
    void nothing;
  });
}
void main;

// consentry/server: the same config type, header values as Node gives them.
import { configFromTOML, readConsent, renderBanner } from "consentry/server";
const markup: string = renderBanner(config, "en", ["a=1", "consentry=x"], "1");
const verdict = readConsent(undefined, undefined, JSON.stringify(config));
const stored: ConsentRecord | null = verdict.record;
const off: string[] = verdict.gpc.signal ? verdict.gpc.off : [];
void [markup, stored, off, configFromTOML("revision = 1")];
