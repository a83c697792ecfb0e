// Short import and export names for the release wasm and its JS glue.
//
// wasm-bindgen names every import after the binding plus a 16-hex-digit
// hash (`__wbg_setAttribute_6cf5a9c5f1e1b2a4`), and the module they come
// from "./consentry_bg.js". Each name is spelled twice, once in the wasm's
// import section and once as a key of the glue's imports object, and hashes
// barely compress: together about 3 KB brotli of a first visit. Exports
// (`__wbindgen_malloc`, closure shims with hashes) are read by the glue as
// `wasm.<name>`, which no minifier shortens. Binaryen's minify passes only
// rename imports from "env", or every export including ones the glue does
// not name, so this renames what it sees used in both files and fails the
// build if either file no longer has the shape it expects.

const MODULE = "./consentry_bg.js";
const NEW_MODULE = "w";

function leb(buf, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = buf[at++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (b < 0x80) return [value, at];
  }
}

function uleb(n) {
  const out = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

const text = (s) => [...uleb(Buffer.byteLength(s)), ...Buffer.from(s)];

/** "a", "b", … "Z", "aa", "ab", …: the n-th short name. */
function shortName(n) {
  const ABC = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  let s = "";
  do {
    s = ABC[n % ABC.length] + s;
    n = Math.floor(n / ABC.length) - 1;
  } while (n >= 0);
  return s;
}

const escape = (name) => name.replace(/\$/g, "\\$");

/** Where one import's description ends. */
function skipImportDesc(buf, at) {
  const kind = buf[at++];
  const limits = (p) => {
    const flags = buf[p++];
    [, p] = leb(buf, p);
    if (flags & 1) [, p] = leb(buf, p);
    return p;
  };
  switch (kind) {
    case 0x00: // function: type index
      return leb(buf, at)[1];
    case 0x01: // table: reference type, limits
      return limits(at + 1);
    case 0x02: // memory: limits
      return limits(at);
    case 0x03: // global: value type, mutability
      return at + 2;
    default:
      throw new Error(`wasm import of unknown kind 0x${kind.toString(16)}`);
  }
}

/** The section with this id as {start, end, body}: its id byte, its end, its contents. */
function section(wasm, want) {
  if (wasm.length < 8 || wasm.readUInt32LE(0) !== 0x6d736100) throw new Error("not a wasm module");
  let at = 8;
  while (at < wasm.length) {
    const [size, body] = leb(wasm, at + 1);
    if (wasm[at] === want) return { start: at, end: body + size, body };
    at = body + size;
  }
  return null;
}

/** `wasm` with the section at [start, end) replaced by one of this id and contents. */
function replaceSection(wasm, { start, end }, id, contents) {
  return Buffer.concat([wasm.subarray(0, start), Buffer.from([id, ...uleb(contents.length), ...contents]), wasm.subarray(end)]);
}

/**
 * Renames every import (all from ./consentry_bg.js) in the wasm and as a
 * key of the glue's imports object.
 * @param {Buffer} wasm the wasm-bindgen output, after wasm-opt
 * @param {string} js the matching wasm-bindgen glue (--target web)
 * @returns {{wasm: Buffer, js: string, count: number}}
 */
export function shortenImports(wasm, js) {
  const s = section(wasm, 2);
  if (!s) throw new Error("the wasm has no import section");
  let [count, p] = leb(wasm, s.body);
  const entries = [];
  const renames = new Map();
  for (let i = 0; i < count; i++) {
    let len;
    [len, p] = leb(wasm, p);
    const module = wasm.toString("utf8", p, p + len);
    p += len;
    [len, p] = leb(wasm, p);
    const name = wasm.toString("utf8", p, p + len);
    p += len;
    const descStart = p;
    p = skipImportDesc(wasm, p);
    if (module !== MODULE) throw new Error(`wasm imports "${name}" from "${module}", not ${MODULE}: update scripts/imports.mjs`);
    if (!renames.has(name)) renames.set(name, shortName(renames.size));
    entries.push([...text(NEW_MODULE), ...text(renames.get(name)), ...wasm.subarray(descStart, p)]);
  }
  if (p !== s.end) throw new Error("the wasm import section did not parse to its end");

  let glue = js;
  for (const [name, short] of renames) {
    const hits = glue.split("\n").filter((l) => l.trimStart().startsWith(`${name}: `)).length;
    if (hits !== 1) throw new Error(`the glue defines import ${name} ${hits} times, expected once: update scripts/imports.mjs`);
    glue = glue.replace(new RegExp(`^(\\s+)${escape(name)}: `, "m"), `$1"${short}": `);
  }
  const moduleKey = `"${MODULE}": import0`;
  if (glue.split(moduleKey).length !== 2) throw new Error(`the glue no longer holds ${moduleKey} once: update scripts/imports.mjs`);
  glue = glue.replace(moduleKey, `"${NEW_MODULE}": import0`);
  return { wasm: replaceSection(wasm, s, 2, [...uleb(count), ...entries.flat()]), js: glue, count: renames.size };
}

/**
 * Renames the exports the glue reads as `wasm.<name>`; the others
 * (wasm-bindgen's abort hooks, which nothing here calls) keep their names.
 * @param {Buffer} wasm
 * @param {string} js
 * @returns {{wasm: Buffer, js: string, count: number}}
 */
export function shortenExports(wasm, js) {
  const s = section(wasm, 7);
  if (!s) throw new Error("the wasm has no export section");
  const read = [];
  let [count, p] = leb(wasm, s.body);
  for (let i = 0; i < count; i++) {
    let len;
    [len, p] = leb(wasm, p);
    const name = wasm.toString("utf8", p, p + len);
    const descStart = p + len;
    p = leb(wasm, descStart + 1)[1]; // kind byte, then an index
    read.push([name, wasm.subarray(descStart, p)]);
  }
  if (p !== s.end) throw new Error("the wasm export section did not parse to its end");

  const access = (name) => new RegExp(`\\bwasm\\.${escape(name)}(?![\\w$])`, "g");
  const kept = new Set(read.map(([n]) => n).filter((n) => !access(n).test(js)));
  const renames = new Map();
  let next = 0;
  for (const [name] of read) {
    if (kept.has(name)) continue;
    let short;
    do short = shortName(next++);
    while (kept.has(short));
    renames.set(name, short);
  }
  let glue = js;
  for (const [name, short] of renames) glue = glue.replace(access(name), `wasm.${short}`);
  const entries = read.map(([name, desc]) => [...text(renames.get(name) ?? name), ...desc]);
  return { wasm: replaceSection(wasm, s, 7, [...uleb(count), ...entries.flat()]), js: glue, count: renames.size };
}
