#!/usr/bin/env node
// Builds everything a site serves into dist/:
//
//   consentry.mjs    ES module, wasm inlined          (package "." export)
//   consentry.js     classic script                    ("./consentry.js")
//   consentry.wasm   the script tag's wasm, fetched from next to it
//   consentry.css    minified stylesheet (also inlined into both scripts)
//   consentry.d.ts   types for the ES module
//   consent-default.js  Google Consent Mode v2 `default`, to inline before gtag
//   consentry.schema.json  JSON Schema of the config (editors, taplo)
//
//   node scripts/build.mjs            # release: --release, wasm-opt -Oz, minified
//   node scripts/build.mjs --debug    # debug cargo build, no wasm-opt, no minify
//
// Only node builtins at top level: esbuild is imported after setup ran.

import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, relative } from "node:path";
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

/** What a first visit with the script tag downloads (the CSS is inside consentry.js). */
export const FIRST_VISIT = ["consentry.js", "consentry.wasm"];

// wasm-bindgen's glue falls back to `new URL("consentry_bg.wasm", import.meta.url)`
// when given no wasm. Both entry points always give one, and a bundler that
// sees that expression (webpack, Vite) tries to emit a file that does not
// exist, so the fallback is cut out of the glue as it is bundled.
const WBG_FALLBACK = "module_or_path = new URL('consentry_bg.wasm', import.meta.url);";
const noWasmFallback = {
  name: "consentry-no-wasm-fallback",
  setup(b) {
    b.onLoad({ filter: /[\\/]target[\\/]wbg[\\/]consentry\.js$/ }, (args) => {
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

  // (a) the wasm
  // Panic locations inside dependencies carry their source paths, which
  // would ship this machine's cargo home to every visitor: cut it.
  const cargoHome = process.env.CARGO_HOME || join(homedir(), ".cargo");
  const remap = `--remap-path-prefix=${join(cargoHome, "registry", "src")}=crates`;
  // Cargo reads CARGO_ENCODED_RUSTFLAGS instead of RUSTFLAGS, so a user's own flags come along.
  const own = process.env.CARGO_ENCODED_RUSTFLAGS ?? (process.env.RUSTFLAGS ?? "").trim().split(/\s+/).filter(Boolean).join("\x1f");
  const rustflags = [own, remap].filter(Boolean).join("\x1f");
  // Debug builds link std for console_error_panic_hook, so a panic reaches
  // the console with its message and place (README "Dependencies").
  run("cargo", ["build", ...(debug ? ["--features", "panic-hook"] : ["--release"]), "--target", TARGET, "--lib"], {
    env: { ...process.env, CARGO_ENCODED_RUSTFLAGS: rustflags },
  });
  const rawWasm = need(p("target", TARGET, profile, `${CRATE}.wasm`), "cargo build produced no wasm");

  // (b) JS glue + wasm, as plain web ESM
  const wbg = p("target", "wbg");
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
    console.log(`build: wasm-opt -Oz ${before} -> ${readFileSync(wasm).length} bytes`);
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
    console.log(`build: ${imports.count} import and ${exports.count} export names shortened, wasm + glue ${before} -> ${after} bytes brotli`);
  }
  // wasm-opt validates its own output, but the browser engine has the last word.
  if (!WebAssembly.validate(readFileSync(wasm))) {
    throw new Error(`${rel(wasm)} does not validate as WebAssembly in this Node (${process.version})`);
  }

  const esbuild = await import("esbuild");
  const dist = p("dist");
  rmSync(dist, { recursive: true, force: true });
  mkdirSync(dist, { recursive: true });

  // (d) CSS
  const cssSrc = readFileSync(need(p("src", "web", "consentry.css"), "the dialog stylesheet"), "utf8");
  const css = debug ? cssSrc : (await esbuild.transform(cssSrc, { loader: "css", minify: true, target: "es2020" })).code.trim();
  writeFileSync(join(dist, "consentry.css"), css + "\n");

  // (e) the two JS entry points
  const common = {
    bundle: true,
    minify: !debug,
    target: "es2020",
    platform: "browser",
    charset: "ascii", // a classic script may be decoded with the page's charset
    legalComments: "none",
    define: { CONSENTRY_CSS: JSON.stringify(css) },
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
    format: "esm",
  });
  copyFileSync(wasm, join(dist, "consentry.wasm"));
  await esbuild.build({
    ...common,
    entryPoints: [need(p("src", "js", "script.js"), "classic script entry point")],
    outfile: join(dist, "consentry.js"),
    format: "iife",
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

  // (g) what it costs
  const files = readdirSync(dist)
    .filter((f) => !f.startsWith("."))
    .sort()
    .map((file) => ({ file, ...sizes(readFileSync(join(dist, file))) }));
  const tag = files.filter((f) => FIRST_VISIT.includes(f.file));
  const scriptTag = {
    raw: tag.reduce((a, f) => a + f.raw, 0),
    gzip: tag.reduce((a, f) => a + f.gzip, 0),
    brotli: tag.reduce((a, f) => a + f.brotli, 0),
  };
  console.log("\n" + table([...files, { file: "script tag (js + wasm)", total: true, ...scriptTag }]) + "\n");
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
// comments service): +89 B of baked-in data.
export const PRELUDE_BROTLI_MAX = 2688;

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

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    setup();
    await build({ debug: process.argv.includes("--debug") });
  } catch (e) {
    console.error(`build: ${e.message}`);
    process.exit(1);
  }
}
