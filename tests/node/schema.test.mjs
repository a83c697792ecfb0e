// The config's JSON Schema (src/js/consentry.schema.json, shipped as
// consentry/schema.json) against the real categories.toml and against configs
// the wasm's validator refuses: an editor must not call a config fine that
// consentry will reject for the reasons tested here.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import Ajv from "ajv";
import { parse as parseToml } from "smol-toml";
import { ROOT } from "../e2e/harness.mjs";

const schema = JSON.parse(readFileSync(join(ROOT, "src", "js", "consentry.schema.json"), "utf8"));
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
const check = (config) => (validate(config) ? [] : validate.errors.map((e) => `${e.instancePath || "/"} ${e.message}`));
const minimal = (extra = {}, cat = {}) => ({ categories: [{ id: "a", title: "A", ...cat }], ...extra });

test("categories.toml validates against the schema and names it for taplo", () => {
  const text = readFileSync(join(ROOT, "categories.toml"), "utf8");
  assert.match(text.split("\n")[0], /^#:schema \.\/src\/js\/consentry\.schema\.json$/);
  assert.deepEqual(check(parseToml(text)), []);
});

test("the shipped schema is the source schema", () => {
  const dist = JSON.parse(readFileSync(join(ROOT, "dist", "consentry.schema.json"), "utf8"));
  assert.deepEqual(dist, schema);
});

test("the smallest config passes; unknown keys and missing parts do not", () => {
  assert.deepEqual(check(minimal()), []);
  assert.notDeepEqual(check({}), []);
  assert.notDeepEqual(check({ categories: [] }), []);
  assert.notDeepEqual(check(minimal({ colour: "red" })), []);
  assert.notDeepEqual(check(minimal({}, { titel: "x" })), []);
  assert.notDeepEqual(check({ categories: [{ id: "a" }] }), []);
});

test("it refuses what the wasm validator refuses (config.rs cases)", () => {
  const bad = {
    "upper-case id": minimal({}, { id: "Bad" }),
    "cookie name with a space": minimal({}, { cookies: [{ name: "a b" }] }),
    "max_age_days 400": minimal({ cookie: { max_age_days: 400 } }),
    "javascript: policy": minimal({ policy_url: "javascript:alert(1)" }),
    "bidi override": minimal({}, { title: { en: "A", ru: "x\u202ey" } }),
    "empty title": minimal({}, { title: "  " }),
    "not a language tag": minimal({ languages: ["english"] }),
    "duplicate language": minimal({ languages: ["en", "en"] }),
    "bad consent type": minimal({ google_consent_mode: { a: ["cookies"] } }),
    "gpc on a required category": minimal({}, { required: true, gpc: true }),
    "unknown dialog text": minimal({ ui: { en: { banner_titel: "x" } } }),
    "bad host": minimal({}, { hosts: ["https://example.com"] }),
    "revision 0": minimal({ revision: 0 }),
    "33 categories": { categories: Array.from({ length: 33 }, (_, i) => ({ id: `c${i}`, title: "C" })) },
  };
  for (const [why, config] of Object.entries(bad)) assert.notDeepEqual(check(config), [], why);
  const good = {
    "relative policy": minimal({ policy_url: "/privacy" }),
    "https policy": minimal({ policy_url: "https://example.com/privacy" }),
    "wildcard host": minimal({}, { hosts: ["*.google-analytics.com"] }),
    "cookie pattern": minimal({}, { cookies: [{ name: "_ga_*", purpose: { en: "x" } }] }),
    "ui override": minimal({ ui: { "pt-BR": { accept_all: "Aceitar", withdraw: "Retirar" } } }),
    theme: minimal({ theme: "dark" }),
    amendment: minimal({ revision: 2, amendment: { date: "2026-12-01", note: { en: "x", ru: "y" } } }),
    "provider by language": minimal({}, { cookies: [{ name: "x", provider: { en: "Chat", ru: "Чат" } }] }),
  };
  for (const [why, config] of Object.entries(good)) assert.deepEqual(check(config), [], why);
});

test("the schema's dialog text keys are text.rs FIRST and DIALOG names, and the .d.ts UiKey lists the same", () => {
  const rs = readFileSync(join(ROOT, "src", "text.rs"), "utf8");
  // Each entry of the two word tables (the gate's and the ask part's) opens
  // with its name: `("name",` or `(\n        "name",`.
  const table = (name) => {
    const at = rs.indexOf(`const ${name}:`);
    assert.ok(at >= 0, `src/text.rs has const ${name}`);
    return [...rs.slice(at, rs.indexOf("];", at)).matchAll(/\(\s*"([a-z_]+)",/g)].map((m) => m[1]);
  };
  const keys = [...table("FIRST"), ...table("DIALOG")].sort();
  assert.equal(keys.length, 40);
  assert.ok(keys.includes("withdraw") && keys.includes("banner_title"), keys.join());
  assert.deepEqual([...schema.definitions.uiKey.enum].sort(), keys);
  const dts = readFileSync(join(ROOT, "src", "js", "consentry.d.ts"), "utf8");
  const ui = dts.match(/export type UiKey =([^;]*);/);
  assert.deepEqual([...ui[1].matchAll(/"([a-z_]+)"/g)].map((m) => m[1]).sort(), keys);
});
