// The size budget (bench/size-budget.json), read and checked. Used by
// tests/e2e/size.test.mjs; kept here so its rules are tested on their own
// (tests/node/budget.test.mjs).
//
// The file holds:
//
//   first_visit_gzip_bytes  ceiling for gzip -9 of everything a first visit
//                           with the script tag downloads (FIRST_VISIT in
//                           scripts/build.mjs)
//   parts                   optional: one entry per separately loaded part,
//                           each with its files (names in dist/) and a
//                           ceiling in gzip -9 bytes, brotli q11 bytes or both:
//
//     "parts": {
//       "gate": { "files": ["consentry.js", "consentry.wasm"], "brotli": 12800 },
//       "ask":  { "files": ["consentry-ask.js", "consentry-ask.wasm"], "brotli": 20480, "gzip": 24576 }
//     }
//
//   note                    the history of every change, with its reason
//
// Adding a part is one edit of that file; each part is checked on its own,
// and the first-visit ceiling still covers what a first visit fetches.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { sizes } from "./build.mjs";

const isCeiling = (x) => Number.isInteger(x) && x > 0;

/**
 * Reads and checks the budget file's shape.
 * @returns {{firstVisitGzip: number | null, parts: {name: string, files: string[], gzip?: number, brotli?: number}[], note: string}}
 */
export function readBudget(file) {
  let b;
  try {
    b = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`${file}: not readable JSON (${e.message})`);
  }
  if (typeof b !== "object" || b === null || Array.isArray(b)) throw new Error(`${file}: expected an object`);
  if (typeof b.note !== "string") throw new Error(`${file}: the budget file keeps its note (a string)`);
  const known = new Set(["first_visit_gzip_bytes", "parts", "note"]);
  for (const k of Object.keys(b)) if (!known.has(k)) throw new Error(`${file}: unknown key "${k}" (known: ${[...known].join(", ")})`);
  const firstVisitGzip = b.first_visit_gzip_bytes ?? null;
  if (firstVisitGzip !== null && !isCeiling(firstVisitGzip)) throw new Error(`${file}: first_visit_gzip_bytes must be a positive integer, got ${JSON.stringify(firstVisitGzip)}`);
  const parts = [];
  if (b.parts !== undefined) {
    if (typeof b.parts !== "object" || b.parts === null || Array.isArray(b.parts)) throw new Error(`${file}: parts must be an object of part name to {files, gzip?, brotli?}`);
    for (const [name, p] of Object.entries(b.parts)) {
      const at = `${file}: parts.${name}`;
      if (typeof p !== "object" || p === null || Array.isArray(p)) throw new Error(`${at} must be an object {files, gzip?, brotli?}`);
      for (const k of Object.keys(p)) if (!["files", "gzip", "brotli"].includes(k)) throw new Error(`${at}: unknown key "${k}" (known: files, gzip, brotli)`);
      if (!Array.isArray(p.files) || !p.files.length || !p.files.every((f) => typeof f === "string" && f && !f.includes("/") && !f.includes("\\"))) {
        throw new Error(`${at}.files must be a non-empty list of file names in dist/`);
      }
      if (p.gzip === undefined && p.brotli === undefined) throw new Error(`${at} needs a ceiling: gzip, brotli or both (bytes)`);
      for (const k of ["gzip", "brotli"]) if (p[k] !== undefined && !isCeiling(p[k])) throw new Error(`${at}.${k} must be a positive integer, got ${JSON.stringify(p[k])}`);
      parts.push({ name, files: [...p.files], ...(p.gzip !== undefined ? { gzip: p.gzip } : {}), ...(p.brotli !== undefined ? { brotli: p.brotli } : {}) });
    }
  }
  if (firstVisitGzip === null && !parts.length) throw new Error(`${file}: holds no ceiling (first_visit_gzip_bytes or parts)`);
  return { firstVisitGzip, parts, note: b.note };
}

/**
 * Weighs a list of files in `dist` against ceilings.
 * @param {string} name what the files are ("first visit", "part gate")
 * @param {{gzip?: number, brotli?: number}} ceiling
 * @returns {{name: string, files: {file: string, gzip: number, brotli: number}[], gzip: number, brotli: number, failures: string[], summary: string}}
 */
export function weighPart(dist, name, files, ceiling) {
  const failures = [];
  const each = [];
  for (const file of files) {
    const path = join(dist, file);
    if (!existsSync(path)) {
      failures.push(`${name}: dist/${file} is missing (its files: ${files.join(", ")}); run \`node scripts/build.mjs\`, or update bench/size-budget.json if the build no longer makes it`);
      continue;
    }
    const s = sizes(readFileSync(path));
    each.push({ file, gzip: s.gzip, brotli: s.brotli });
  }
  const gzip = each.reduce((a, f) => a + f.gzip, 0);
  const brotli = each.reduce((a, f) => a + f.brotli, 0);
  const detail = (k) => each.map((f) => `${f.file} ${f[k]} B`).join(" + ");
  const label = { gzip: "gzip -9", brotli: "brotli" };
  if (!failures.length) {
    for (const k of ["gzip", "brotli"]) {
      if (ceiling[k] === undefined) continue;
      const total = k === "gzip" ? gzip : brotli;
      if (total > ceiling[k]) {
        failures.push(
          `${name} is ${total} B ${label[k]} (${detail(k)}), over its ${ceiling[k]} B ceiling in bench/size-budget.json by ${total - ceiling[k]} B. ` +
            "Find what grew with `twiggy top` / `twiggy diff` before anything else; do not raise the ceiling silently.",
        );
      }
    }
  }
  const room = ["gzip", "brotli"]
    .filter((k) => ceiling[k] !== undefined)
    .map((k) => `${label[k]} ${k === "gzip" ? gzip : brotli} of ${ceiling[k]} B, ${ceiling[k] - (k === "gzip" ? gzip : brotli)} B to spare`)
    .join("; ");
  const summary = `${name}: ${files.join(" + ")}: ${room}`;
  return { name, files: each, gzip, brotli, failures, summary };
}

/**
 * Every check the budget asks for: the first visit (when it has a ceiling)
 * and each part.
 * @param {string[]} firstVisit the files a first visit downloads
 */
export function checkBudget(budget, dist, firstVisit) {
  const out = [];
  if (budget.firstVisitGzip !== null) out.push(weighPart(dist, "first visit", firstVisit, { gzip: budget.firstVisitGzip }));
  for (const p of budget.parts) out.push(weighPart(dist, `part "${p.name}"`, p.files, { gzip: p.gzip, brotli: p.brotli }));
  return out;
}
