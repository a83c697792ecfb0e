#!/usr/bin/env node
// A small static server for the demo: www/ at "/", dist/ at "/assets/consentry/".
// Run as a command it server-renders the first layer into each page (ssr).
// Loopback only, no caching, no directory listings, no way out of its folders.
//
//   node scripts/serve.mjs [--port 8080]      (or PORT=8080)
//
//   import { serve } from "./scripts/serve.mjs";
//   const { url, close } = await serve({ port: 0 });

import { createReadStream, readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { renderPage } from "./ssr.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

export const MIME = {
  ".html": "text/html; charset=utf-8",
  ".htm": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".gif": "image/gif",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".md": "text/plain; charset=utf-8",
  ".ts": "text/plain; charset=utf-8",
  ".woff2": "font/woff2",
};

function isFile(p) {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDir(p) {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Maps a URL path to a file inside one of the mounts, or null. Never returns a
 * path outside the mount's folder: ".." segments, encoded slashes and NUL are
 * refused outright rather than normalised away.
 */
export function resolvePath(pathname, mounts) {
  let decoded;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes("\0") || decoded.includes("\\")) return null;
  const segments = decoded.split("/");
  if (segments.some((s) => s === ".." || s === ".")) return null;
  if (/%2f|%5c/i.test(pathname)) return null;

  for (const [prefix, dir] of mounts) {
    const base = prefix.endsWith("/") ? prefix : prefix + "/";
    let rest;
    if (decoded === prefix.replace(/\/$/, "") && prefix !== "/") rest = "";
    else if (decoded.startsWith(base)) rest = decoded.slice(base.length);
    else continue;
    const folder = resolve(dir);
    const target = resolve(folder, rest);
    if (target !== folder && !target.startsWith(folder + sep)) return null;
    const candidates = [];
    if (rest === "" || decoded.endsWith("/") || isDir(target)) candidates.push(join(target, "index.html"));
    else {
      candidates.push(target);
      if (!extname(target)) candidates.push(target + ".html");
    }
    const hit = candidates.find(isFile);
    if (hit) return hit;
    // A mount owns its prefix: "/assets/consentry/x" never falls through to www/.
    if (prefix !== "/") return null;
  }
  return null;
}

/**
 * Starts the server. Resolves once it is listening.
 *
 * @param {object} [opts]
 * @param {number} [opts.port=8080] 0 picks a free port
 * @param {string} [opts.host="127.0.0.1"]
 * @param {string} [opts.root] repository root (www/ and dist/ are taken from it)
 * @param {string} [opts.www] folder served at "/"
 * @param {string} [opts.dist] folder served at "/assets/consentry/"
 * @param {[string, string][]} [opts.mounts] extra [urlPrefix, folder] pairs, checked first
 * @param {boolean} [opts.ssr] server-render the first layer into every .html page (scripts/ssr.mjs)
 * @param {(req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse, ctx: {pathname: string, file: string | null}) => (boolean | void | Promise<boolean | void>)} [opts.onRequest]
 *   runs before the file is sent; may set headers (e.g. a CSP), or answer the
 *   request itself and return true.
 * @returns {Promise<{url: string, port: number, server: import("node:http").Server, close: () => Promise<void>}>}
 */
export function serve({ port = 8080, host = "127.0.0.1", root = ROOT, www, dist, mounts = [], onRequest, ssr = false } = {}) {
  const allMounts = [
    ...mounts,
    ["/assets/consentry/", dist ?? join(root, "dist")],
    ["/", www ?? join(root, "www")],
  ];

  const server = createServer(async (req, res) => {
    try {
      const { pathname } = new URL(req.url ?? "/", "http://localhost");
      const file = resolvePath(pathname, allMounts);
      res.setHeader("Cache-Control", "no-store");
      res.setHeader("X-Content-Type-Options", "nosniff");
      if (onRequest && (await onRequest(req, res, { pathname, file }))) return;
      if (res.writableEnded) return;

      if (req.method !== "GET" && req.method !== "HEAD") {
        res.writeHead(405, { Allow: "GET, HEAD", "Content-Type": "text/plain; charset=utf-8" });
        res.end("method not allowed\n");
        return;
      }
      if (!file) {
        res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" });
        res.end(`not found: ${pathname}\n`);
        return;
      }
      const type = MIME[extname(file).toLowerCase()] ?? "application/octet-stream";
      if (ssr && req.method === "GET" && extname(file) === ".html") {
        const page = await renderPage(readFileSync(file, "utf8"), req, dist ?? join(root, "dist"));
        res.writeHead(200, { "Content-Type": type });
        res.end(page);
        return;
      }
      res.writeHead(200, { "Content-Type": type, "Content-Length": statSync(file).size });
      if (req.method === "HEAD") {
        res.end();
        return;
      }
      createReadStream(file)
        .on("error", () => res.destroy())
        .pipe(res);
    } catch (e) {
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain; charset=utf-8" });
      res.end(`server error: ${e && e.message}\n`);
    }
  });

  return new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(port, host, () => {
      server.off("error", fail);
      const actual = server.address().port;
      const url = `http://${host}:${actual}`;
      ok({
        url,
        port: actual,
        server,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            server.closeAllConnections?.();
          }),
      });
    });
  });
}

/** `--port N` / `--port=N`, then $PORT, then 8080. */
export function portFromArgs(argv = process.argv.slice(2), env = process.env) {
  const i = argv.findIndex((a) => a === "--port" || a.startsWith("--port="));
  const raw = i < 0 ? env.PORT : argv[i].includes("=") ? argv[i].split("=")[1] : argv[i + 1];
  if (raw === undefined || raw === "") return 8080;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`bad port: ${JSON.stringify(raw)}`);
  return n;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const { url, close } = await serve({ port: portFromArgs(), ssr: true });
    console.log(`serving www/ and dist/ at ${url}/  (Ctrl+C to stop)`);
    const stop = () => close().then(() => process.exit(0));
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  } catch (e) {
    console.error(`serve: ${e.message}`);
    process.exit(1);
  }
}
