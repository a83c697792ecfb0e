// scripts/imports.mjs: the release build's short import names. Every e2e
// test runs through it too; these pin down what it renames and that it
// refuses a wasm or glue it does not recognise.

import assert from "node:assert/strict";
import { test } from "node:test";
import { shortenExports, shortenImports } from "../../scripts/imports.mjs";

const MODULE = "./consentry_bg.js";
/** Unsigned LEB128, as the binary format writes sizes and counts. */
function uleb(n) {
  const out = [];
  do {
    out.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
    n >>>= 7;
  } while (n > 0);
  return out;
}
const str = (s) => [...uleb(Buffer.byteLength(s)), ...Buffer.from(s)];

/** A module with one function type and the given imports ([module, name, desc bytes]). */
function wasm(imports) {
  const types = [1, 0x60, 0, 0];
  const body = [imports.length, ...imports.flatMap(([m, n, desc]) => [...str(m), ...str(n), ...desc])];
  return Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, ...uleb(types.length), ...types, 2, ...uleb(body.length), ...body]);
}

const FN = [0x00, 0x00]; // function of type 0
const MEM = [0x02, 0x00, 0x01]; // memory, at least one page

const glue = (names) => `function __wbg_get_imports() {
    const import0 = {
        __proto__: null,
${names.map((n) => `        ${n}: function(arg0) {\n            return arg0;\n        },`).join("\n")}
    };
    return {
        __proto__: null,
        "${MODULE}": import0,
    };
}`;

test("renames every import in the wasm and its key in the glue, and nothing else", () => {
  const names = ["__wbg_setAttribute_0123456789abcdef", "__wbg_cookie_fedcba9876543210", "__wbindgen_init_externref_table"];
  const out = shortenImports(
    wasm([[MODULE, names[0], FN], [MODULE, names[1], FN], [MODULE, "memory_like", MEM], [MODULE, names[2], FN]]),
    glue([...names, "memory_like"]),
  );
  assert.equal(out.count, 4);
  assert.ok(WebAssembly.validate(out.wasm));
  assert.deepEqual(
    WebAssembly.Module.imports(new WebAssembly.Module(out.wasm)).map((i) => [i.module, i.name, i.kind]),
    [["w", "a", "function"], ["w", "b", "function"], ["w", "c", "memory"], ["w", "d", "function"]],
  );
  for (const n of names) assert.ok(!out.js.includes(n), `${n} is gone from the glue`);
  assert.match(out.js, /^ {8}"a": function\(arg0\) \{$/m);
  assert.match(out.js, /^ {8}"d": function\(arg0\) \{$/m);
  assert.match(out.js, /"w": import0,/);
  assert.ok(!out.js.includes(MODULE));
  // The glue still builds the object the renamed module asks for.
  const imports = new Function(`${out.js}; return __wbg_get_imports();`)();
  assert.deepEqual(Object.keys(imports.w), ["a", "b", "d", "c"]);
});

test("an import the glue does not define once fails the build", () => {
  assert.throws(
    () => shortenImports(wasm([[MODULE, "__wbg_gone_0000000000000000", FN]]), glue(["__wbg_other_1111111111111111"])),
    /defines import __wbg_gone_0000000000000000 0 times/,
  );
  const twice = glue(["__wbg_x_2222222222222222"]).replace("__proto__: null,", "__proto__: null,\n        __wbg_x_2222222222222222: 1,");
  assert.throws(() => shortenImports(wasm([[MODULE, "__wbg_x_2222222222222222", FN]]), twice), /2 times/);
});

test("an import from another module, or a glue without the module key, fails the build", () => {
  assert.throws(() => shortenImports(wasm([["env", "f", FN]]), glue(["f"])), /from "env", not \.\/consentry_bg\.js/);
  assert.throws(
    () => shortenImports(wasm([[MODULE, "f", FN]]), glue(["f"]).replace(`"${MODULE}"`, '"./elsewhere.js"')),
    /no longer holds/,
  );
  assert.throws(() => shortenImports(Buffer.from("not wasm at all"), ""), /not a wasm module/);
});

/** A module exporting a memory and two functions under the given names. */
function exporting(names) {
  const types = [1, 0x60, 0, 0];
  const funcs = [2, 0, 0];
  const memory = [1, 0, 1];
  const exps = [names.length, ...names.flatMap((n, i) => [...str(n), i === 0 ? 0x02 : 0x00, i === 0 ? 0 : i - 1])];
  const code = [2, 2, 0, 0x0b, 2, 0, 0x0b];
  return Buffer.from([
    0, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    1, ...uleb(types.length), ...types,
    3, ...uleb(funcs.length), ...funcs,
    5, ...uleb(memory.length), ...memory,
    7, ...uleb(exps.length), ...exps,
    10, ...uleb(code.length), ...code,
  ]);
}

test("exports the glue reads as wasm.<name> get short names there and in the wasm; the others keep theirs", () => {
  const names = ["memory", "wasm_bindgen__convert__closures_____invoke__h0123456789abcdef", "__abort_handler"];
  const js = [
    "let wasm;",
    "const m = () => new Uint8Array(wasm.memory.buffer);",
    // A same-named wrapper and a longer name that starts the same stay as they are.
    "function wasm_bindgen__convert__closures_____invoke__h0123456789abcdef(a) { wasm.wasm_bindgen__convert__closures_____invoke__h0123456789abcdef(a); }",
    "const other = wasm.memoryish;",
  ].join("\n");
  const out = shortenExports(exporting(names), js);
  assert.equal(out.count, 2);
  assert.deepEqual(WebAssembly.Module.exports(new WebAssembly.Module(out.wasm)).map((e) => [e.name, e.kind]), [
    ["a", "memory"],
    ["b", "function"],
    ["__abort_handler", "function"],
  ]);
  assert.match(out.js, /new Uint8Array\(wasm\.a\.buffer\)/);
  assert.match(out.js, /^function wasm_bindgen__convert__closures_____invoke__h0123456789abcdef\(a\) \{ wasm\.b\(a\); \}$/m);
  assert.match(out.js, /wasm\.memoryish/);
});
