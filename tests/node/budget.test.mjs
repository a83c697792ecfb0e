// The size budget's format (scripts/budget.mjs): today's single first-visit
// ceiling, ceilings per part, and failures that name the part, its files,
// its size and its ceiling. Built on throwaway dist folders, so no build is
// needed.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { checkBudget, readBudget } from "../../scripts/budget.mjs";
import { sizes } from "../../scripts/build.mjs";

const dir = mkdtempSync(join(tmpdir(), "consentry-budget-"));
after(() => rmSync(dir, { recursive: true, force: true }));

// Two "parts" of different weight: text that compresses, and bytes that barely do.
let seed = 7;
const noise = (n) => Buffer.from(Array.from({ length: n }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24)));
const dist = join(dir, "dist");
const files = {
  "gate.js": Buffer.from("function gate(){return 1}\n".repeat(40)),
  "gate.wasm": noise(3000),
  "ask.js": Buffer.from("export const ask = () => 2;\n".repeat(30)),
  "ask.wasm": noise(5000),
};
const weight = (names, k) => names.reduce((a, f) => a + sizes(files[f])[k], 0);

function budgetFile(obj) {
  const f = join(dir, `budget-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(f, JSON.stringify({ note: "test", ...obj }));
  return f;
}

async function writeDist() {
  mkdirSync(dist, { recursive: true });
  for (const [f, b] of Object.entries(files)) writeFileSync(join(dist, f), b);
}

test("today's form: one first-visit gzip ceiling, no parts", async () => {
  await writeDist();
  const gate = ["gate.js", "gate.wasm"];
  const exact = weight(gate, "gzip");
  const ok = checkBudget(readBudget(budgetFile({ first_visit_gzip_bytes: exact })), dist, gate);
  assert.equal(ok.length, 1);
  assert.equal(ok[0].name, "first visit");
  assert.deepEqual(ok[0].failures, [], "exactly at the ceiling passes");
  const over = checkBudget(readBudget(budgetFile({ first_visit_gzip_bytes: exact - 1 })), dist, gate);
  assert.equal(over[0].failures.length, 1);
  assert.match(over[0].failures[0], new RegExp(`first visit is ${exact} B gzip -9 \\(gate\\.js \\d+ B \\+ gate\\.wasm \\d+ B\\), over its ${exact - 1} B ceiling .* by 1 B`));
});

test("a ceiling per part: each part is weighed on its own, by gzip, brotli or both", async () => {
  await writeDist();
  const parts = {
    gate: { files: ["gate.js", "gate.wasm"], brotli: weight(["gate.js", "gate.wasm"], "brotli") },
    ask: { files: ["ask.js", "ask.wasm"], gzip: weight(["ask.js", "ask.wasm"], "gzip"), brotli: weight(["ask.js", "ask.wasm"], "brotli") },
  };
  const all = ["gate.js", "gate.wasm", "ask.js", "ask.wasm"];
  const checks = checkBudget(readBudget(budgetFile({ first_visit_gzip_bytes: weight(all, "gzip"), parts })), dist, all);
  assert.deepEqual(
    checks.map((c) => c.name),
    ["first visit", 'part "gate"', 'part "ask"'],
  );
  for (const c of checks) assert.deepEqual(c.failures, [], c.name);
  assert.match(checks[1].summary, /^part "gate": gate\.js \+ gate\.wasm: brotli \d+ of \d+ B, 0 B to spare$/);

  // The ask part grows by one brotli byte over its ceiling: only it fails,
  // and the message names the part, its files, its size and its ceiling.
  const tight = { ...parts, ask: { ...parts.ask, brotli: parts.ask.brotli - 3 } };
  const failed = checkBudget(readBudget(budgetFile({ parts: tight })), dist, all);
  assert.deepEqual(failed[0].failures, []);
  assert.equal(failed[1].failures.length, 1);
  const msg = failed[1].failures[0];
  assert.match(msg, /^part "ask" is \d+ B brotli \(ask\.js \d+ B \+ ask\.wasm \d+ B\), over its \d+ B ceiling in bench\/size-budget\.json by 3 B/);
  assert.ok(msg.includes(String(parts.ask.brotli)) && msg.includes(String(parts.ask.brotli - 3)), msg);
});

test("a part whose file the build no longer makes fails by name", async () => {
  await writeDist();
  const checks = checkBudget(readBudget(budgetFile({ parts: { ask: { files: ["ask.js", "consentry-ask.wasm"], brotli: 99999 } } })), dist, []);
  assert.equal(checks.length, 1);
  assert.match(checks[0].failures[0], /^part "ask": dist\/consentry-ask\.wasm is missing \(its files: ask\.js, consentry-ask\.wasm\)/);
});

test("a malformed budget is refused with the key that is wrong", () => {
  const cases = [
    [{ first_visit_gzip_bytes: 0 }, /first_visit_gzip_bytes must be a positive integer/],
    [{ parts: { gate: { files: ["a.js"] } } }, /parts\.gate needs a ceiling: gzip, brotli or both/],
    [{ parts: { gate: { files: [], brotli: 10 } } }, /parts\.gate\.files must be a non-empty list/],
    [{ parts: { gate: { files: ["../x.js"], brotli: 10 } } }, /parts\.gate\.files must be a non-empty list of file names in dist/],
    [{ parts: { gate: { files: ["a.js"], brotli: 1.5 } } }, /parts\.gate\.brotli must be a positive integer/],
    [{ parts: { gate: { files: ["a.js"], brotil: 10 } } }, /parts\.gate: unknown key "brotil"/],
    [{ parts: [] }, /parts must be an object/],
    [{ first_visit_gzip: 10 }, /unknown key "first_visit_gzip"/],
    [{}, /holds no ceiling/],
  ];
  for (const [obj, re] of cases) assert.throws(() => readBudget(budgetFile(obj)), re, JSON.stringify(obj));
  const noNote = join(dir, "no-note.json");
  writeFileSync(noNote, JSON.stringify({ first_visit_gzip_bytes: 10 }));
  assert.throws(() => readBudget(noNote), /keeps its note/);
});

test("the repository's own budget file reads", () => {
  const b = readBudget(join(import.meta.dirname, "..", "..", "bench", "size-budget.json"));
  assert.ok(b.firstVisitGzip !== null || b.parts.length);
});
