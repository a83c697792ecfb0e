#!/usr/bin/env node
// npx consentry render [--lang ru] [--gpc] [categories.toml]
// Prints the first layer's markup to paste first in a page's <body>, for the
// built-in config or the given categories.toml, in the given language.

import { readFileSync } from "node:fs";
import { configFromTOML, renderBanner } from "./consentry-server.mjs";

const USAGE = "usage: consentry render [--lang LANG] [--gpc] [categories.toml]";

function main(argv) {
  const [command, ...rest] = argv;
  if (command !== "render") throw new Error(command ? `unknown command "${command}"\n${USAGE}` : USAGE);
  let lang;
  let gpc;
  let file;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === "--lang") {
      lang = rest[++i];
      if (!lang) throw new Error(`--lang needs a language tag\n${USAGE}`);
    } else if (a === "--gpc") gpc = "1";
    else if (a.startsWith("-")) throw new Error(`unknown option "${a}"\n${USAGE}`);
    else if (file) throw new Error(`one config file only\n${USAGE}`);
    else file = a;
  }
  let config;
  if (file) {
    let text;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      throw new Error(`cannot read ${file}: ${e.code || e.message}`);
    }
    try {
      config = configFromTOML(text);
    } catch (e) {
      throw new Error(`${file}: ${e.message}`);
    }
  }
  process.stdout.write(renderBanner(config, lang, undefined, gpc) + "\n");
}

try {
  main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`consentry: ${e.message}\n`);
  process.exitCode = 1;
}
