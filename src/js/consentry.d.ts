// Types for the consentry package. The config types mirror categories.toml
// (CONTRACT §6); the API mirrors CONTRACT §3.

/** A text in one language for all, or by language tag: `{ en: "…", ru: "…" }`. */
export type Text = string | { [lang: string]: string };

/** Google Consent Mode v2 consent types. */
export type ConsentType =
  | "ad_storage"
  | "analytics_storage"
  | "ad_user_data"
  | "ad_personalization"
  | "functionality_storage"
  | "personalization_storage"
  | "security_storage";

/** A cookie a category sets, as the preferences table lists it. */
export interface CookieInfo {
  /** Exact name, or a pattern where `*` matches any run of characters (`_ga_*`). */
  name: string;
  provider?: Text;
  purpose?: Text;
  duration?: Text;
}

export interface Category {
  /** Lower-case letters, digits, `_` or `-`, starting with a letter. */
  id: string;
  title: Text;
  description?: Text;
  /** Required categories are always on and cannot be refused. Default false. */
  required?: boolean;
  /** Host patterns its trackers use: `example.com` or `*.example.com`. */
  hosts?: string[];
  /** Cookies deleted whenever the category is refused or consent is withdrawn. */
  cookies?: CookieInfo[];
  /** localStorage / sessionStorage keys deleted likewise (`prefix*` allowed). */
  storage?: string[];
  /** Honour Global Privacy Control: starts refused and accept-all leaves it off. */
  gpc?: boolean;
}

/** Dialog texts a config may override per language. */
export type UiKey =
  | "banner_title" | "banner_text" | "policy_link" | "accept_all" | "reject_all" | "preferences"
  | "preferences_title" | "preferences_text" | "save" | "close" | "required" | "required_note"
  | "gpc_note" | "cookies_summary" | "cookie_name" | "cookie_provider" | "cookie_purpose" | "cookie_duration"
  | "reopen" | "saved" | "no_memory" | "placeholder" | "placeholder_allow" | "record_title"
  | "record_id" | "record_given" | "record_updated" | "record_method" | "record_revision" | "method_accept_all"
  | "method_reject_all" | "method_custom"
  | "method_account" | "export" | "withdraw" | "record_none" | "record_nothing"
  | "withdrawn" | "gpc_banner" | "amended";

/** The config: the categories.toml schema as an object. */
export interface Config {
  /** Bump it and every visitor is asked again. Default 1. */
  revision?: number;
  /** Link to the privacy policy shown in the dialog. */
  policy_url?: string;
  /** Languages offered; the first is the fallback. Default ["en"]. */
  languages?: string[];
  cookie?: {
    /** Default "consentry". */
    name?: string;
    /** 1 to 395 days. Default 182. */
    max_age_days?: number;
    /** Share the choice across subdomains, e.g. ".example.com". */
    domain?: string;
  };
  categories: Category[];
  /** Category id to the Consent Mode types it grants. */
  google_consent_mode?: { [categoryId: string]: ConsentType[] };
  /** Reload the page after a withdrawal (scripts that ran cannot be unloaded). */
  reload_on_withdraw?: boolean;
  /** "auto" follows the browser (default); "light" or "dark" pins the dialog's look. */
  theme?: "auto" | "light" | "dark";
  /** What the current revision changed, shown to visitors asked again after a bump. */
  amendment?: { date: string; note: Text };
  /** Per-language overrides of the dialog's own texts. */
  ui?: { [lang: string]: Partial<Record<UiKey, string>> };
  /**
   * The consent ledger (consentry-server). `endpoint`: where receipts go;
   * `account`: the signed-in visitor's account token, minted by the site's
   * backend, so their decision follows them to every device. The server's
   * own keys (README, "Consent ledger") are ignored by the browser.
   */
  ledger?: { endpoint?: string; account?: string; [serverKey: string]: unknown };
}

/** A visitor's decision. */
export interface ConsentRecord {
  /** Random, per browser; shown to the visitor as a receipt id. */
  id: string;
  /** Config revision the choice was made under. */
  revision: number;
  /** ISO-8601 time of the first decision. */
  given: string;
  /** ISO-8601 time of the latest decision. */
  updated: string;
  method: "accept-all" | "reject-all" | "custom" | "account";
  /** Every category id; required ones are always true. */
  categories: Record<string, boolean>;
}

export interface Consentry {
  /** Resolves once consentry has started; rejects if it could not. */
  readonly ready: Promise<void>;
  /** The current decision, or null before one (or after reset). */
  get(): ConsentRecord | null;
  /** Whether a category is allowed now; false for unknown ids and before ready. */
  allowed(category: string): boolean;
  acceptAll(): void;
  /** Required categories stay on; refused categories lose their cookies. */
  rejectAll(): void;
  /** Sets some categories; unknown ids and refusing a required one throw. */
  set(choices: Record<string, boolean>): void;
  /** Shows the first layer. */
  show(): void;
  /** Opens the second layer. */
  showPreferences(): void;
  hide(): void;
  /** Withdraws: forgets the decision, deletes its cookies, asks again. */
  reset(): void;
  /** Calls back after every decision; returns an unsubscribe function. */
  on(event: "change", callback: (record: ConsentRecord) => void): () => void;
  /**
   * Calls back after every withdrawal (`reset()`, the account panel's
   * withdraw button, or a reset in another tab), once the cookies are gone;
   * returns an unsubscribe function.
   */
  on(event: "reset", callback: () => void): () => void;
  /** Renders the preferences inline (account area), with the record and export. */
  mountPreferences(element: HTMLElement): void;
}

/**
 * Starts consentry once per page and resolves to its API (also published as
 * `window.Consentry`).
 *
 * `config` follows the categories.toml schema (`consentry/schema.json`);
 * without it the page's `<script type="application/json"
 * id="consentry-config">` is read, as the script tag reads it, and without
 * that the built-in categories are used. A bad config rejects with an
 * Error naming the key path, e.g. `init(config): categories[0].id: ...`
 * (`#consentry-config: ...` for the page's block).
 * Later calls return the same promise, whatever they pass. Importing is safe
 * during server rendering; calling init there rejects.
 */
export function init(config?: Config): Promise<Consentry>;

declare global {
  interface Window {
    readonly Consentry?: Consentry;
  }
  interface WindowEventMap {
    "consentry:ready": Event;
    "consentry:change": CustomEvent<ConsentRecord>;
    "consentry:reset": CustomEvent<null>;
  }
}
