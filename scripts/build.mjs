#!/usr/bin/env node
// Builds everything a site serves into dist/:
//
//   consentry.mjs    ES module, the gate's wasm inlined (package "." export)
//   consentry.js     classic script: the API, the loader and the gate's glue
//   consentry.wasm   the script tag's gate wasm, fetched from next to it
//   consentry-ask.mjs   the ask part for the ES module, wasm inlined
//   consentry-ask.js    the ask part for the script tag, fetched on demand
//   consentry-ask.wasm  ...with its wasm next to it
//   consentry.css    minified stylesheet (the gate's part inlined into the
//                    entry scripts, the layers' into the ask part)
//   consentry.d.ts   types for the ES module
//   consent-default.js  Google Consent Mode v2 `default`, to inline before gtag
//   consentry.schema.json  JSON Schema of the config (editors, taplo)
//   consentry-early.js  the early snippet to inline at the top of <head>
//   consentry-server.mjs + .wasm  `consentry/server`: render and cookie
//                    verdicts for a site's Node server (the `node` feature)
//   consentry-cli.mjs   `npx consentry render`
//
//   node scripts/build.mjs            # release: --release, wasm-opt -Oz, minified
//   node scripts/build.mjs --debug    # debug cargo build, no wasm-opt, no minify
//
// Only node builtins at top level: esbuild is imported after setup ran.

import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants as zc, gzipSync } from "node:zlib";
import { shortenExports, shortenImports } from "./imports.mjs";
import { cargoVersion, root, run, setup } from "./setup.mjs";

const TARGET = "wasm32-unknown-unknown";
const CRATE = "consentry";

// Features rustc (1.8x+, LLVM 19+) enables by default for wasm32-unknown-unknown.
// wasm-opt starts from the MVP feature set, so each one has to be named or it
// rejects the module (or silently lowers nothing and fails validation).
export const WASM_FEATURES = [
  "--enable-bulk-memory",
  "--enable-bulk-memory-opt",
  "--enable-nontrapping-float-to-int",
  "--enable-sign-ext",
  "--enable-reference-types",
  "--enable-multivalue",
  "--enable-mutable-globals",
  "--enable-call-indirect-overlong",
];

const p = (...xs) => join(root, ...xs);
/** Where cargo writes: CARGO_TARGET_DIR when set (relative to the repo, as cargo reads it here), else target/. */
const cargoOut = (...xs) => join(resolve(root, process.env.CARGO_TARGET_DIR || "target"), ...xs);

/** Loads a .wasm file as a module whose default export is a string holding one character per byte. */
const wasmAsText = {
  name: "consentry-wasm-as-text",
  setup(b) {
    b.onLoad({ filter: /\.wasm$/ }, (args) => ({
      contents: `export default ${JSON.stringify(readFileSync(args.path).toString("latin1"))};`,
      loader: "js",
    }));
  },
};

/**
 * What the script tag's visitors download, by part (the gate's styles are
 * inside consentry.js). Every visit, first or returning, gets the gate,
 * which shows the first layer; the ask part comes at the first
 * "Preferences" (docs/architecture.md).
 */
export const PARTS = {
  gate: ["consentry.js", "consentry.wasm"],
  "ask part": ["consentry-ask.js", "consentry-ask.wasm"],
};
export const FIRST_VISIT = PARTS.gate;

// wasm-bindgen's glue falls back to `new URL("consentry_bg.wasm", import.meta.url)`
// when given no wasm. Both entry points always give one, and a bundler that
// sees that expression (webpack, Vite) tries to emit a file that does not
// exist, so the fallback is cut out of the glue as it is bundled.
const WBG_FALLBACK = "module_or_path = new URL('consentry_bg.wasm', import.meta.url);";
const noWasmFallback = {
  name: "consentry-no-wasm-fallback",
  setup(b) {
    b.onLoad({ filter: /[\\/]target[\\/]wbg[\\/](gate|ask)[\\/]consentry\.js$/ }, (args) => {
      const js = readFileSync(args.path, "utf8");
      if (!js.includes(WBG_FALLBACK)) {
        throw new Error(`${rel(args.path)} no longer holds ${WBG_FALLBACK} (new wasm-bindgen?): update build.mjs`);
      }
      return { contents: js.replace(WBG_FALLBACK, 'throw new Error("consentry: no wasm given");'), loader: "js" };
    });
  },
};
const rel = (x) => relative(root, x) || ".";

function need(file, what) {
  if (!existsSync(file)) throw new Error(`${rel(file)} is missing (${what})`);
  return file;
}

/**
 * RUSTFLAGS for every cargo build here. Panic locations inside dependencies
 * carry their source paths, which would ship this machine's cargo home to
 * every visitor: cut it. Cargo reads CARGO_ENCODED_RUSTFLAGS instead of
 * RUSTFLAGS, so a user's own flags come along.
 */
function rustFlags() {
  const cargoHome = process.env.CARGO_HOME || join(homedir(), ".cargo");
  const remap = `--remap-path-prefix=${join(cargoHome, "registry", "src")}=crates`;
  const own = process.env.CARGO_ENCODED_RUSTFLAGS ?? (process.env.RUSTFLAGS ?? "").trim().split(/\s+/).filter(Boolean).join("\x1f");
  return [own, remap].filter(Boolean).join("\x1f");
}

/**
 * Builds one part of the browser build (a cargo feature of the one crate)
 * into target/wbg/<part>/: wasm-bindgen's glue and the optimised wasm.
 * Returns the wasm's path.
 */
function wasmPart(part, debug, profile) {
  // (a) the wasm
  const rustflags = rustFlags();
  // Debug builds link std for console_error_panic_hook, so a panic reaches
  // the console with its message and place (README "Dependencies").
  const features = debug ? `${part},panic-hook` : part;
  run("cargo", ["build", ...(debug ? [] : ["--release"]), "--target", TARGET, "--lib", "--no-default-features", "--features", features], {
    env: { ...process.env, CARGO_ENCODED_RUSTFLAGS: rustflags },
  });
  const rawWasm = need(cargoOut(TARGET, profile, `${CRATE}.wasm`), "cargo build produced no wasm");

  // (b) JS glue + wasm, as plain web ESM
  const wbg = p("target", "wbg", part);
  rmSync(wbg, { recursive: true, force: true });
  run("wasm-bindgen", [
    "--target", "web", "--no-typescript",
    ...(debug ? ["--debug", "--keep-debug"] : []),
    "--out-dir", wbg, rawWasm,
  ]);
  const wasm = need(join(wbg, `${CRATE}_bg.wasm`), "wasm-bindgen output");
  need(join(wbg, `${CRATE}.js`), "wasm-bindgen output");

  // (c) shrink it
  if (!debug) {
    const wasmOpt = need(p("node_modules", ".bin", "wasm-opt"), "npm package binaryen; run node scripts/setup.mjs");
    const before = readFileSync(wasm).length;
    // --low-memory-unused: rustc puts the stack's bottom at address 0 and its
    // top at 1 MiB, so the first KiB is only touched if the stack nearly
    // overflows; wasm-opt may then fold constant offsets (-1.2 KB raw).
    // --converge repeats -Oz until it stops shrinking.
    run(wasmOpt, ["-Oz", "--low-memory-unused", "--converge", ...WASM_FEATURES, "--strip-debug", "--strip-producers", "--strip-target-features", wasm, "-o", wasm]);
    console.log(`build: ${part}: wasm-opt -Oz ${before} -> ${readFileSync(wasm).length} bytes`);
  }
  if (!debug) {
    // Short import and export names (no wasm-bindgen hashes), in the wasm
    // and the glue alike; see scripts/imports.mjs.
    const glue = join(wbg, `${CRATE}.js`);
    const before = sizes(readFileSync(wasm)).brotli + sizes(readFileSync(glue)).brotli;
    const imports = shortenImports(readFileSync(wasm), readFileSync(glue, "utf8"));
    const exports = shortenExports(imports.wasm, imports.js);
    writeFileSync(wasm, exports.wasm);
    writeFileSync(glue, exports.js);
    const after = sizes(exports.wasm).brotli + sizes(Buffer.from(exports.js)).brotli;
    console.log(`build: ${part}: ${imports.count} import and ${exports.count} export names shortened, wasm + glue ${before} -> ${after} bytes brotli`);
  }
  // wasm-opt validates its own output, but the browser engine has the last word.
  if (!WebAssembly.validate(readFileSync(wasm))) {
    throw new Error(`${rel(wasm)} does not validate as WebAssembly in this Node (${process.version})`);
  }
  return wasm;

}

function checkVersions() {
  const pkg = JSON.parse(readFileSync(p("package.json"), "utf8")).version;
  const crate = cargoVersion();
  if (pkg !== crate) {
    throw new Error(
      `version mismatch: package.json says ${pkg} but Cargo.toml says ${crate}; ` +
        "the npm package and the crate are released together, set both to the same version",
    );
  }
  return pkg;
}

/** Raw, gzip -9 and brotli (quality 11) sizes of a buffer. */
export function sizes(buf) {
  return {
    raw: buf.length,
    gzip: gzipSync(buf, { level: 9 }).length,
    brotli: brotliCompressSync(buf, {
      params: {
        [zc.BROTLI_PARAM_QUALITY]: zc.BROTLI_MAX_QUALITY,
        [zc.BROTLI_PARAM_LGWIN]: zc.BROTLI_MAX_WINDOW_BITS,
        [zc.BROTLI_PARAM_SIZE_HINT]: buf.length,
      },
    }).length,
  };
}

function table(rows) {
  const head = ["file", "raw", "gzip -9", "brotli"];
  const body = rows.map((r) => [r.file, String(r.raw), String(r.gzip), String(r.brotli)]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join("  ");
  const out = [line(head), w.map((n) => "-".repeat(n)).join("  ")];
  body.forEach((b, i) => {
    if (rows[i].total) out.push(w.map((n) => "-".repeat(n)).join("  "));
    out.push(line(b));
  });
  return out.join("\n");
}

/**
 * @param {{debug?: boolean}} [opts]
 * @returns {Promise<{files: {file: string, raw: number, gzip: number, brotli: number}[], scriptTag: {raw: number, gzip: number, brotli: number}}>}
 */
export async function build({ debug = false } = {}) {
  const t0 = Date.now();
  const version = checkVersions();
  const profile = debug ? "debug" : "release";
  console.log(`build: consentry ${version} (${profile})`);

  // (a)-(c) the two wasm parts: the gate (every page) and the ask part
  // (fetched when the visitor is asked); docs/architecture.md.
  const gate = wasmPart("gate", debug, profile);
  const ask = wasmPart("ask", debug, profile);

  const esbuild = await import("esbuild");
  const dist = p("dist");
  rmSync(dist, { recursive: true, force: true });
  mkdirSync(dist, { recursive: true });

  // (d) CSS
  // The gate's styles go inside consentry.js, the layers' with the ask
  // part; dist/consentry.css holds both for sites that link it.
  const minCss = async (file) => {
    const src = readFileSync(need(p("src", "web", file), "the dialog stylesheet"), "utf8");
    return debug ? src : (await esbuild.transform(src, { loader: "css", minify: true, target: "es2020" })).code.trim();
  };
  const css = await minCss("gate.css");
  const askCss = await minCss("ask.css");
  writeFileSync(join(dist, "consentry.css"), css + "\n" + askCss + "\n");

  // (e) the two JS entry points
  const common = {
    bundle: true,
    minify: !debug,
    target: "es2020",
    platform: "browser",
    charset: "ascii", // a classic script may be decoded with the page's charset
    legalComments: "none",
    define: { CONSENTRY_CSS: JSON.stringify(css), CONSENTRY_ASK_CSS: JSON.stringify(askCss), CONSENTRY_BUILTIN_LEDGER: JSON.stringify(await builtinLedger()) },
    sourcemap: debug ? "inline" : false,
    logLevel: "warning",
    absWorkingDir: root,
    plugins: [noWasmFallback],
  };
  // The ES module carries the wasm inline, so bundlers need no loader
  // config; the script tag fetches dist/consentry.wasm instead (compiled
  // while it streams). Inline, each byte is one character of a string
  // written as UTF-8, which module sources always are (src/js/bytes.js).
  await esbuild.build({
    ...common,
    charset: "utf8",
    plugins: [noWasmFallback, wasmAsText],
    entryPoints: [need(p("src", "js", "module.js"), "ES module entry point")],
    outfile: join(dist, "consentry.mjs"),
    external: ["./consentry-ask.mjs"],
    format: "esm",
  });
  copyFileSync(gate, join(dist, "consentry.wasm"));
  await esbuild.build({
    ...common,
    entryPoints: [need(p("src", "js", "script.js"), "classic script entry point")],
    outfile: join(dist, "consentry.js"),
    format: "iife",
  });
  // (e0) the ask part: for the script tag an ES module that fetches
  // dist/consentry-ask.wasm (consentry.js imports it on demand); for the ES
  // module the same with the wasm inline, imported by consentry.mjs with a
  // plain dynamic import, which every bundler splits into its own chunk.
  copyFileSync(ask, join(dist, "consentry-ask.wasm"));
  await esbuild.build({
    ...common,
    entryPoints: [need(p("src", "js", "ask.js"), "ask part entry point")],
    outfile: join(dist, "consentry-ask.js"),
    format: "esm",
  });
  await esbuild.build({
    ...common,
    charset: "utf8",
    plugins: [noWasmFallback, wasmAsText],
    entryPoints: [need(p("src", "js", "ask-module.js"), "ask part module entry point")],
    outfile: join(dist, "consentry-ask.mjs"),
    format: "esm",
  });

  // (e1) consent ledger receipts: the script tag imports this file only when
  // its config has a [ledger] table, so sites without one download nothing
  // more; the ES module bundles it.
  await esbuild.build({
    ...common,
    entryPoints: [need(p("src", "js", "ledger.js"), "ledger receipts")],
    outfile: join(dist, "consentry-ledger.js"),
    format: "esm",
  });

  // (e2) the Consent Mode v2 `default` snippet a site inlines (or hosts)
  // before its Google tag; plain ES5, no bundling.
  const gcmSrc = readFileSync(need(p("src", "js", "consent-default.js"), "Consent Mode default snippet"), "utf8");
  const gcm = debug ? gcmSrc : (await esbuild.transform(gcmSrc, { loader: "js", minify: true, target: "es5", legalComments: "none" })).code;
  writeFileSync(join(dist, "consent-default.js"), gcm);

  // (f) types and the config's JSON Schema
  copyFileSync(need(p("src", "js", "consentry.d.ts"), "TypeScript declarations"), join(dist, "consentry.d.ts"));
  const schema = need(p("src", "js", "consentry.schema.json"), "config JSON Schema");
  writeFileSync(join(dist, "consentry.schema.json"), JSON.stringify(JSON.parse(readFileSync(schema, "utf8"))) + "\n");

  await buildPrelude(esbuild, dist, debug); // dist/consentry-prelude.js (issue #8)
  await buildEarly(esbuild, dist, debug); // dist/consentry-early.js and its CSP hash
  await buildServer(esbuild, dist, debug, rustFlags()); // consentry/server and the CLI

  // (g) what it costs
  const files = readdirSync(dist)
    .filter((f) => !f.startsWith("."))
    .sort()
    .map((file) => ({ file, ...sizes(readFileSync(join(dist, file))) }));
  const sum = (names) => {
    const tag = files.filter((f) => names.includes(f.file));
    return {
      raw: tag.reduce((a, f) => a + f.raw, 0),
      gzip: tag.reduce((a, f) => a + f.gzip, 0),
      brotli: tag.reduce((a, f) => a + f.brotli, 0),
    };
  };
  const scriptTag = sum(FIRST_VISIT);
  const parts = Object.entries(PARTS).map(([name, names], i) => ({ file: name, total: i === 0, ...sum(names) }));
  console.log("\n" + table([...files, ...parts]) + "\n");
  writeFileSync(p("target", "sizes.json"), JSON.stringify({ profile, files, scriptTag }, null, 2) + "\n");
  console.log(`build: dist/ ready in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  return { files, scriptTag };
}

// --- the prelude (issue #8) ------------------------------------------------
// dist/consentry-prelude.js: a classic script for the top of <head> that holds
// requests to declared hosts until the core allows their category. The
// default categories.toml's hosts, cookie names and Consent Mode map are baked
// in; an inline #consentry-config replaces them in the browser.
// 2560 for issue 14's trust fixes (hold by address, parsed hosts, every
// insertion path, the browser's own cookie answer), then issue 18 widened the
// default hosts (usual ad and social pixel hosts, the chat widget, the
// comments service): +89 B of baked-in data. 2752 for the early snippet
// (src/js/early.js, 2733 B measured, +232 B): the consent-cookie mark and
// the first click on a pre-rendered banner, so a page with the prelude needs
// no second inline script.
export const PRELUDE_BROTLI_MAX = 2752;

/** What the prelude needs from a config object (same schema as categories.toml). */
export function preludeConfig(config) {
  // Same shape as the schema, trimmed: cookies as bare names.
  const out = { categories: [] };
  for (const c of config.categories ?? []) {
    if (c.required) continue; // required categories are never held
    const k = { id: c.id };
    if (c.hosts?.length) k.hosts = c.hosts;
    if (c.cookies?.length) k.cookies = c.cookies.map((x) => x.name);
    if (k.hosts || k.cookies) out.categories.push(k);
  }
  // The prelude's Consent Mode default names every v2 type whatever the map says.
  if (config.google_consent_mode) out.google_consent_mode = 1;
  return out;
}

/**
 * Whether the built-in config has a [ledger] table. The gate carries a copy
 * of it without the texts (src/lib.rs GATE_CONFIG), so the entry points
 * learn this here and fetch the full text for receipts only then.
 */
async function builtinLedger() {
  const { parse } = await import("smol-toml");
  const file = process.env.CONSENTRY_CATEGORIES ?? p("categories.toml");
  return parse(readFileSync(need(file, "the default config"), "utf8")).ledger !== undefined;
}

async function buildPrelude(esbuild, dist, debug) {
  const { parse } = await import("smol-toml");
  const config = preludeConfig(parse(readFileSync(need(p("categories.toml"), "the default config"), "utf8")));
  const outfile = join(dist, "consentry-prelude.js");
  await esbuild.build({
    entryPoints: [need(p("src", "js", "prelude.js"), "the prelude")],
    outfile,
    bundle: true,
    format: "iife",
    minify: !debug,
    target: "es2020",
    charset: "ascii",
    legalComments: "none",
    define: { PRELUDE_CONFIG: JSON.stringify(config) },
    logLevel: "warning",
    absWorkingDir: root,
  });
  const size = sizes(readFileSync(outfile));
  if (!debug && size.brotli > PRELUDE_BROTLI_MAX) {
    throw new Error(`dist/consentry-prelude.js is ${size.brotli} bytes brotli, over its ${PRELUDE_BROTLI_MAX}-byte budget`);
  }
}

// --- the early snippet ------------------------------------------------------
// dist/consentry-early.js: a few hundred bytes a page inlines at the top of
// <head> (or loads from 'self'). It marks <html data-consentry-decided> when
// a consent cookie is present, so the documented CSS hides a pre-rendered
// banner from a returning visitor, and keeps the first click on an
// adoptable banner until the gate is ready. Its CSP hash is printed and
// written next to it, for `script-src 'sha256-...'`.
export const EARLY_BROTLI_MAX = 512;

async function buildEarly(esbuild, dist, debug) {
  const src = readFileSync(need(p("src", "js", "early.js"), "the early snippet"), "utf8");
  const code = debug ? src : (await esbuild.transform(src, { loader: "js", minify: true, target: "es2017", legalComments: "none" })).code.trim();
  writeFileSync(join(dist, "consentry-early.js"), code);
  const hash = "sha256-" + createHash("sha256").update(code).digest("base64");
  writeFileSync(join(dist, "consentry-early.sha256"), hash + "\n");
  console.log(`build: consentry-early.js inline hash for CSP script-src: '${hash}'`);
  const size = sizes(Buffer.from(code));
  if (!debug && size.brotli > EARLY_BROTLI_MAX) {
    throw new Error(`dist/consentry-early.js is ${size.brotli} bytes brotli, over its ${EARLY_BROTLI_MAX}-byte budget`);
  }
}

// --- consentry/server and the CLI -------------------------------------------
// The same crate with the `node` feature: render and the request reader,
// TOML for the CLI, no browser layer. wasm-bindgen's web target, given its
// bytes from next to the module at import (initSync).
async function buildServer(esbuild, dist, debug, rustflags) {
  run("cargo", ["build", ...(debug ? [] : ["--release"]), "--target", TARGET, "--lib", "--no-default-features", "--features", "node"], {
    env: { ...process.env, CARGO_ENCODED_RUSTFLAGS: rustflags },
  });
  const raw = need(cargoOut(TARGET, debug ? "debug" : "release", `${CRATE}.wasm`), "cargo build --features node produced no wasm");
  const out = p("target", "wbg-node");
  rmSync(out, { recursive: true, force: true });
  run("wasm-bindgen", ["--target", "web", "--no-typescript", "--out-dir", out, raw]);
  const wasm = need(join(out, `${CRATE}_bg.wasm`), "wasm-bindgen output (node)");
  if (!debug) {
    run(need(p("node_modules", ".bin", "wasm-opt"), "npm package binaryen"), ["-Oz", ...WASM_FEATURES, "--strip-debug", "--strip-producers", wasm, "-o", join(dist, "consentry-server.wasm")]);
  } else {
    copyFileSync(wasm, join(dist, "consentry-server.wasm"));
  }
  const node = { bundle: true, minify: !debug, platform: "node", format: "esm", target: "node20", legalComments: "none", logLevel: "warning", absWorkingDir: root };
  await esbuild.build({ ...node, entryPoints: [need(p("src", "js", "server.js"), "consentry/server")], outfile: join(dist, "consentry-server.mjs") });
  await esbuild.build({ ...node, entryPoints: [need(p("src", "js", "cli.js"), "the CLI")], outfile: join(dist, "consentry-cli.mjs"), external: ["./consentry-server.mjs"] });
  chmodSync(join(dist, "consentry-cli.mjs"), 0o755);
  copyFileSync(need(p("src", "js", "server.d.ts"), "consentry/server types"), join(dist, "consentry-server.d.ts"));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    setup();
    await build({ debug: process.argv.includes("--debug") });
  } catch (e) {
    console.error(`build: ${e.message}`);
    process.exit(1);
  }
}
