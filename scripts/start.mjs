#!/usr/bin/env node
// `npm start`: install what is missing, build dist/, serve the demo.
//
//   npm start                    # http://127.0.0.1:8080/
//   npm start -- --port 3000     # or PORT=3000 npm start
//   npm start -- --debug         # debug build (no wasm-opt, unminified)
//
// Only node builtins at top level: this runs on a fresh clone.

import { build } from "./build.mjs";
import { portFromArgs, serve } from "./serve.mjs";
import { setup } from "./setup.mjs";

try {
  const port = portFromArgs();
  setup({ browser: false });
  await build({ debug: process.argv.includes("--debug") });
  const { url, close } = await serve({ port });
  console.log(`\nconsentry demo: ${url}/\n(Ctrl+C to stop)`);
  const stop = () => close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
} catch (e) {
  console.error(`start: ${e.message}`);
  process.exit(1);
}
