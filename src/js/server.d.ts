// Types for `consentry/server` (dist/consentry-server.mjs).

import type { ConsentRecord } from "./consentry";

/** A config object (the schema of categories.toml), its JSON text, or undefined for the built-in one. */
export type ServerConfig = object | string | undefined;
/** A header as Node's `IncomingMessage.headers` gives it. */
export type HeaderValue = string | string[] | undefined | null;

/**
 * The first layer's markup to put first in `<body>` (with dist/consentry.css
 * linked in `<head>`), or "" when the Cookie header holds a valid decision.
 * `lang` is the page's `<html lang>`; pass the request's `Sec-GPC` header too.
 */
export function renderBanner(config: ServerConfig, lang?: string, cookieHeader?: HeaderValue, secGpc?: HeaderValue): string;

/** What the visitor allowed, as the browser's gate reads the same cookies. */
export function readConsent(
  cookieHeader: HeaderValue,
  secGpc?: HeaderValue,
  config?: ServerConfig,
): {
  record: ConsentRecord | null;
  gpc: { signal: boolean; off: string[] };
};

/** categories.toml text as a checked config object (throws with the key path). */
export function configFromTOML(text: string): object;
