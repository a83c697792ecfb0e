#!/usr/bin/env node
// `npm run deps`: what each of the design's packages would add to what a
// visitor downloads (the script tag's consentry.js + consentry.wasm), each
// built into the place it would go behind a measurement-only cargo feature
// (Cargo.toml; src/deps.rs, src/json.rs, src/consent.rs, src/api.rs,
// src/web/jar.rs, src/web/listen.rs). Writes bench/deps.json and
// bench/DEPS.md and prints the table; README "Dependencies" gives the
// verdicts.
//
//   node scripts/deps.mjs             # build and weigh every variant (a few minutes)
//   node scripts/deps.mjs --check     # only `cargo check` each variant (the lint layer runs this)
//   node scripts/deps.mjs --only dep-gloo-events
//   node scripts/deps.mjs --no-write
//
// Every variant is built in its own cargo target directory under
// target/deps/ (never target/wasm32-unknown-unknown or dist/), then goes
// through the same steps as scripts/build.mjs's release build: wasm-bindgen,
// wasm-opt -Oz with the same flags, short import and export names, and
// esbuild bundling src/js/script.js with that variant's glue. Sizes are gzip
// -9 and brotli q11 (scripts/build.mjs sizes()).

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { WASM_FEATURES, sizes } from "./build.mjs";
import { shortenExports, shortenImports } from "./imports.mjs";
import { root, run, setup } from "./setup.mjs";

const TARGET = "wasm32-unknown-unknown";
const KIB = 1024;

/**
 * The variants: `features` for cargo, `base` the variant its cost is counted
 * from (std-only packages are also shown over the std build, so the two
 * costs can be told apart), `what` where the package goes.
 */
export const VARIANTS = [
  { id: "release", features: [], what: "the shipped release build (no_std, panic = abort)" },
  { id: "std", features: ["std"], what: "std linked (its allocator and panic machinery): what every std-only package below brings first" },
  { id: "serde", features: ["dep-serde"], what: "serde derives + serde_json (no_std, alloc) for the record's JSON (`Record::to_json`) and in place of src/json.rs's reader" },
  { id: "serde-wasm-bindgen", features: ["dep-serde-wasm-bindgen"], base: "std", what: "the record handed to JS as an object (`getObject()`) through serde derives + serde-wasm-bindgen" },
  { id: "gloo-storage", features: ["dep-gloo-storage"], base: "std", what: "src/web/jar.rs's storage clean-up through gloo-storage" },
  { id: "gloo-events", features: ["dep-gloo-events"], base: "std", what: "src/web/listen.rs's Listener as gloo-events' EventListener" },
  { id: "console_error_panic_hook", features: ["panic-hook"], base: "std", what: "console_error_panic_hook::set_once() at start-up (debug builds)" },
];

function args(argv = process.argv.slice(2)) {
  const i = argv.indexOf("--only");
  const only = i >= 0 ? String(argv[i + 1] ?? "").split(",") : null;
  const pick = only ? VARIANTS.filter((v) => only.includes(v.id) || v.features.some((f) => only.includes(f))) : VARIANTS;
  if (only && !pick.length) throw new Error(`--only: known variants are ${VARIANTS.map((v) => v.id).join(", ")}`);
  return { check: argv.includes("--check"), write: !argv.includes("--no-write"), variants: pick };
}

const targetDir = (v) => join(root, "target", "deps", v.id);
const cargoFeatures = (v) => (v.features.length ? ["--features", v.features.join(",")] : []);

/**
 * `cargo check` of one variant for the wasm target, warnings denied: it
 * still compiles. All variants share one check directory (cargo keeps each
 * feature set's artifacts apart).
 */
function check(v) {
  run("cargo", ["check", "--lib", "--target", TARGET, ...cargoFeatures(v)], {
    env: { ...process.env, CARGO_TARGET_DIR: join(root, "target", "deps", "check"), RUSTFLAGS: [process.env.RUSTFLAGS ?? "", "-D warnings"].join(" ").trim() },
  });
}

/** Builds one variant like the release build and weighs its wasm and script. */
async function weigh(v, esbuild, css) {
  const dir = targetDir(v);
  const cargoHome = process.env.CARGO_HOME || join(homedir(), ".cargo");
  const remap = `--remap-path-prefix=${join(cargoHome, "registry", "src")}=crates`;
  const own = process.env.CARGO_ENCODED_RUSTFLAGS ?? (process.env.RUSTFLAGS ?? "").trim().split(/\s+/).filter(Boolean).join("\x1f");
  run("cargo", ["build", "--release", "--target", TARGET, "--lib", ...cargoFeatures(v)], {
    env: { ...process.env, CARGO_TARGET_DIR: dir, CARGO_ENCODED_RUSTFLAGS: [own, remap].filter(Boolean).join("\x1f") },
  });
  const raw = join(dir, TARGET, "release", "consentry.wasm");
  if (!existsSync(raw)) throw new Error(`${v.id}: cargo build produced no wasm`);
  const wbg = join(dir, "wbg");
  rmSync(wbg, { recursive: true, force: true });
  run("wasm-bindgen", ["--target", "web", "--no-typescript", "--out-dir", wbg, raw]);
  const wasm = join(wbg, "consentry_bg.wasm");
  const glue = join(wbg, "consentry.js");
  run(join(root, "node_modules", ".bin", "wasm-opt"), ["-Oz", "--low-memory-unused", "--converge", ...WASM_FEATURES, "--strip-debug", "--strip-producers", "--strip-target-features", wasm, "-o", wasm]);
  const imports = shortenImports(readFileSync(wasm), readFileSync(glue, "utf8"));
  const exports = shortenExports(imports.wasm, imports.js);
  writeFileSync(wasm, exports.wasm);
  writeFileSync(glue, exports.js);

  // The script tag's consentry.js, bundled with this variant's glue.
  const out = join(dir, "consentry.js");
  await esbuild.build({
    entryPoints: [join(root, "src", "js", "script.js")],
    outfile: out,
    bundle: true,
    minify: true,
    target: "es2020",
    platform: "browser",
    charset: "ascii",
    legalComments: "none",
    format: "iife",
    define: { CONSENTRY_CSS: JSON.stringify(css) },
    logLevel: "warning",
    absWorkingDir: root,
    plugins: [
      {
        name: "consentry-deps-glue",
        setup(b) {
          // The entry imports target/wbg/<name>.js: this variant's instead,
          // with the same cut of wasm-bindgen's URL fallback as build.mjs.
          b.onResolve({ filter: /target\/wbg\/[^/]+\.js$/ }, (a) => ({ path: join(wbg, a.path.split("/").pop()) }));
          b.onLoad({ filter: /\.js$/ }, (a) => {
            if (!a.path.startsWith(wbg)) return undefined;
            const js = readFileSync(a.path, "utf8").replace("module_or_path = new URL('consentry_bg.wasm', import.meta.url);", 'throw new Error("consentry: no wasm given");');
            return { contents: js, loader: "js" };
          });
        },
      },
    ],
  });
  const w = sizes(readFileSync(wasm));
  const j = sizes(readFileSync(out));
  return { id: v.id, features: v.features, base: v.base ?? "release", what: v.what, wasm: w, js: j, total: { raw: w.raw + j.raw, gzip: w.gzip + j.gzip, brotli: w.brotli + j.brotli } };
}

const signed = (n) => (n > 0 ? `+${n}` : String(n));

/** The markdown table: each variant's total and what it adds over its base (and over the release build). */
export function table(rows) {
  const by = Object.fromEntries(rows.map((r) => [r.id, r]));
  const release = by.release;
  const lines = [
    "| variant | features | js + wasm, brotli B | gzip B | added over release, brotli (gzip) | added over std, brotli (gzip) | where it goes |",
    "| --- | --- | ---: | ---: | ---: | ---: | --- |",
  ];
  for (const r of rows) {
    const over = (b) => (b && b !== r ? `${signed(r.total.brotli - b.total.brotli)} (${signed(r.total.gzip - b.total.gzip)})` : "–");
    const std = r.base === "std" ? over(by.std) : "–";
    lines.push(`| ${r.id} | ${r.features.map((f) => `\`${f}\``).join(", ") || "none"} | ${r.total.brotli} | ${r.total.gzip} | ${over(release)} | ${std} | ${r.what} |`);
  }
  return lines.join("\n");
}

/** Whether a package stays, by issue 15's rule: in where it adds under 1 KiB brotli to what a visitor downloads. */
export function verdict(row, release) {
  const added = row.total.brotli - release.total.brotli;
  return { added, keep: added < KIB };
}

async function main() {
  const { check: onlyCheck, write, variants } = args();
  if (onlyCheck) {
    for (const v of variants) {
      console.log(`deps: cargo check --features ${v.features.join(",") || "(none)"}`);
      check(v);
    }
    console.log(`deps: ${variants.length} variants compile`);
    return;
  }
  setup();
  const esbuild = await import("esbuild");
  const cssSrc = readFileSync(join(root, "src", "web", "consentry.css"), "utf8");
  const css = (await esbuild.transform(cssSrc, { loader: "css", minify: true, target: "es2020" })).code.trim();
  const rows = [];
  for (const v of variants) {
    console.log(`deps: building ${v.id} (${v.features.join(",") || "no features"})`);
    rows.push(await weigh(v, esbuild, css));
  }
  const md = table(rows);
  console.log("\n" + md + "\n");
  if (!write) return;
  const release = rows.find((r) => r.id === "release");
  const date = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  mkdirSync(join(root, "bench"), { recursive: true });
  writeFileSync(
    join(root, "bench", "deps.json"),
    JSON.stringify({ date, rows: rows.map((r) => ({ ...r, ...(release && r !== release ? { verdict: verdict(r, release) } : {}) })) }, null, 1) + "\n",
  );
  writeFileSync(
    join(root, "bench", "DEPS.md"),
    `# What the design's packages would add

Generated by \`npm run deps\` (\`node scripts/deps.mjs\`) on ${date}; do not edit by hand.
Each variant is the release build (wasm-opt -Oz, short names, the script
tag's \`consentry.js\` bundled with its glue) with one package built into the
place it would go, behind a measurement-only cargo feature. Bytes are what a
first visit with the script tag downloads: \`consentry.js\` + \`consentry.wasm\`,
brotli q11 and gzip -9. The std-only packages cannot go into the no_std
build without std itself, so both costs are shown. The verdicts are in the
README's "Dependencies" section.

${md}
`,
  );
  console.log("deps: wrote bench/deps.json and bench/DEPS.md");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e) => {
    console.error(`deps: ${e.message}`);
    process.exit(1);
  });
}
