// Shared by the policy-*.test.mjs files (issue 18): the default config as an
// object, so a test can serve it with one key changed, and the dialog's
// built-in words, read from src/text.rs.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "smol-toml";
import { ROOT } from "./harness.mjs";

/** categories.toml as a plain object (a fresh copy on each call). */
export function defaultConfig() {
  return JSON.parse(JSON.stringify(parse(readFileSync(join(ROOT, "categories.toml"), "utf8"))));
}

/**
 * Every dialog text as [name, English, Russian, table], in src/text.rs
 * order; table is "FIRST" (the gate's words) or "DIALOG" (the ask part's).
 */
export function builtinWords() {
  const src = readFileSync(join(ROOT, "src", "text.rs"), "utf8");
  const out = [];
  // The gate's table and the ask part's, each of (name, English, Russian).
  for (const name of ["FIRST", "DIALOG"]) {
    const at = src.indexOf(`const ${name}:`);
    if (at < 0) throw new Error(`src/text.rs has no const ${name}`);
    const table = src.slice(src.indexOf("= [", at), src.indexOf("];", at));
    const strings = [...table.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]);
    for (let i = 0; i + 2 < strings.length; i += 3) out.push([...strings.slice(i, i + 3), name]);
  }
  return out;
}

/** The height and top of the banner's box, and the viewport's height. */
export function bannerBox(page) {
  return page.locator('[data-consentry="banner"]').evaluate((b) => {
    const r = b.getBoundingClientRect();
    return { top: r.top, height: r.height, viewport: innerHeight };
  });
}
