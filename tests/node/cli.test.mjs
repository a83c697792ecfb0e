// `npx consentry render` (dist/consentry-cli.mjs): help, both spellings of
// --lang, and a config as TOML or as JSON, each mistake named with its file.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("../../dist/consentry-cli.mjs", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "consentry-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const run = (...args) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const file = (name, text) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

test("--help prints the usage and succeeds; an unknown command fails with it", () => {
  for (const h of [["--help"], ["-h"], ["render", "--help"]]) {
    const r = run(...h);
    assert.equal(r.code, 0, h.join(" "));
    assert.match(r.out, /^usage: consentry render \[--lang LANG\] \[--gpc\] \[CONFIG\]/);
  }
  const r = run("draw");
  assert.equal(r.code, 1);
  assert.match(r.err, /unknown command "draw"\nusage:/);
});

test("--lang ru and --lang=ru render the same Russian layer", () => {
  const a = run("render", "--lang", "ru");
  const b = run("render", "--lang=ru");
  assert.equal(a.code, 0, a.err);
  assert.equal(a.out, b.out);
  assert.match(a.out, /^<div class="cst" data-consentry="root" lang="ru"/);
  assert.equal(run("render", "--lang").code, 1);
  assert.match(run("render", "--lang=").err, /--lang needs a language tag/);
});

test("a config as TOML or as JSON renders the same; a mistake names the file and key path", () => {
  const toml = file("c.toml", 'languages = ["en"]\n[[categories]]\nid = "n"\ntitle = "N"\nrequired = true\n[[categories]]\nid = "video"\ntitle = "Video"\n');
  const json = file(
    "c.json",
    JSON.stringify({ languages: ["en"], categories: [{ id: "n", title: "N", required: true }, { id: "video", title: "Video" }] }),
  );
  const a = run("render", toml);
  const b = run("render", json);
  assert.equal(a.code, 0, a.err);
  assert.equal(b.code, 0, b.err);
  assert.equal(a.out, b.out);
  const bad = file("bad.json", JSON.stringify({ categories: [{ id: "n", title: "N", required: true }, { id: "v", titel: "V" }] }));
  const r = run("render", bad);
  assert.equal(r.code, 1);
  assert.equal(r.err, `consentry: ${bad}: config: categories[1].titel: unknown key\n`);
  assert.equal(r.out, "");
  const badToml = run("render", file("bad.toml", "[[categories]\n"));
  assert.equal(badToml.code, 1);
  assert.match(badToml.err, /bad\.toml: TOML/);
});
