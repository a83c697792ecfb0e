#!/usr/bin/env node
// npx consentry render [--lang ru] [--gpc] [categories.toml | config.json]
// Prints the first layer's markup to paste first in a page's <body>, for the
// built-in config or the given categories.toml, in the given language.

import { readFileSync } from "node:fs";
import { configFromTOML, renderBanner } from "./consentry-server.mjs";

const USAGE = `usage: consentry render [--lang LANG] [--gpc] [CONFIG]

Prints the first layer's markup, to paste first in a page's <body>.
  CONFIG      categories.toml, or the same config as JSON (a .json file);
              without it, the built-in config
  --lang L    the language to render (one of the config's languages;
              others fall back as <html lang> would)
  --gpc       as seen by a browser that sends Global Privacy Control`;

function main(argv) {
  const [command, ...rest] = argv;
  if (command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(USAGE + "\n");
    return;
  }
  if (command !== "render") throw new Error(command ? `unknown command "${command}"\n${USAGE}` : USAGE);
  let lang;
  let gpc;
  let file;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === "--help" || a === "-h") {
      process.stdout.write(USAGE + "\n");
      return;
    } else if (a === "--lang" || a.startsWith("--lang=")) {
      lang = a === "--lang" ? rest[++i] : a.slice("--lang=".length);
      if (!lang || lang.startsWith("-")) throw new Error(`--lang needs a language tag\n${USAGE}`);
    } else if (a === "--gpc") gpc = "1";
    else if (a.startsWith("-")) throw new Error(`unknown option "${a}"\n${USAGE}`);
    else if (file) throw new Error(`one config file only\n${USAGE}`);
    else file = a;
  }
  let text;
  if (file) {
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      throw new Error(`cannot read ${file}: ${e.code || e.message}`);
    }
  }
  try {
    // JSON text goes to the core as it is, which names the key path of any
    // mistake; TOML is read into the same shape first.
    const config = file && !/\.json$/i.test(file) ? configFromTOML(text) : text;
    process.stdout.write(renderBanner(config, lang, undefined, gpc) + "\n");
  } catch (e) {
    throw new Error(file ? `${file}: ${e.message}` : e.message);
  }
}

try {
  main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`consentry: ${e.message}\n`);
  process.exitCode = 1;
}
