// The demo server (scripts/serve.mjs) that every end-to-end test stands on:
// mounts, MIME types, extensionless pages, no way out of its folders, the
// per-request hook. Plain HTTP against a throwaway folder; no browser.

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { portFromArgs, serve } from "../../scripts/serve.mjs";

let dir;
let server;

/** Raw GET (no URL normalisation, so "/../" reaches the server as written). */
function get(path, method = "GET") {
  return new Promise((ok, fail) => {
    const req = request({ host: "127.0.0.1", port: server.port, path, method }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => ok({ status: res.statusCode, type: res.headers["content-type"], headers: res.headers, body }));
    });
    req.on("error", fail);
    req.end();
  });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "consentry-serve-"));
  const www = join(dir, "www");
  const dist = join(dir, "dist");
  mkdirSync(join(www, "sub"), { recursive: true });
  mkdirSync(dist);
  writeFileSync(join(dir, "secret.txt"), "SECRET");
  writeFileSync(join(www, "index.html"), "<p>home</p>");
  writeFileSync(join(www, "privacy-policy.html"), "<p>policy</p>");
  writeFileSync(join(www, "sub", "index.html"), "<p>sub</p>");
  writeFileSync(join(www, "app.mjs"), "export {}");
  writeFileSync(join(www, "data.json"), "{}");
  writeFileSync(join(www, "consentry.js"), "/* www copy, must not shadow dist */");
  writeFileSync(join(dist, "consentry.js"), "/* dist */");
  writeFileSync(join(dist, "consentry.wasm"), Buffer.from([0, 97, 115, 109, 1, 0, 0, 0]));
  writeFileSync(join(dist, "consentry.css"), "a{}");
  server = await serve({
    port: 0,
    www,
    dist,
    onRequest(req, res, { pathname }) {
      if (pathname === "/csp") res.setHeader("Content-Security-Policy", "default-src 'self'");
      if (pathname === "/answered") {
        res.writeHead(418, { "Content-Type": "text/plain" });
        res.end("teapot");
        return true;
      }
    },
  });
});

after(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

test("listens on loopback at the port it reports", () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.ok(server.port > 0);
});

test("serves www/ at / and dist/ at /assets/consentry/ with the right types", async () => {
  const cases = [
    ["/", 200, "text/html", "home"],
    ["/assets/consentry/consentry.js", 200, "text/javascript", "/* dist */"],
    ["/assets/consentry/consentry.wasm", 200, "application/wasm"],
    ["/assets/consentry/consentry.css", 200, "text/css"],
    ["/app.mjs", 200, "text/javascript"],
    ["/data.json", 200, "application/json"],
  ];
  for (const [path, status, type, body] of cases) {
    const r = await get(path);
    assert.equal(r.status, status, path);
    assert.ok(r.type.startsWith(type), `${path}: ${r.type}`);
    if (body) assert.ok(r.body.includes(body), `${path} body`);
    assert.equal(r.headers["cache-control"], "no-store", `${path} cache-control`);
  }
});

test("extensionless paths and folders find their .html / index.html", async () => {
  assert.ok((await get("/privacy-policy")).body.includes("policy"));
  assert.ok((await get("/sub/")).body.includes("sub"));
  assert.ok((await get("/sub")).body.includes("sub"));
  assert.equal((await get("/missing")).status, 404);
  assert.equal((await get("/assets/consentry/nothing.js")).status, 404, "a mount does not fall through to www/");
});

test("never leaves its folders", async () => {
  for (const path of [
    "/../secret.txt",
    "/%2e%2e/secret.txt",
    "/..%2fsecret.txt",
    "/sub/../../secret.txt",
    "/assets/consentry/../../secret.txt",
    "/assets/consentry/%2e%2e/%2e%2e/secret.txt",
    "/..%5csecret.txt",
    "/%00",
    "/%E0%A4%A",
  ]) {
    const r = await get(path);
    assert.notEqual(r.status, 200, path);
    assert.ok(!r.body.includes("SECRET"), path);
  }
});

test("only GET and HEAD", async () => {
  assert.equal((await get("/", "POST")).status, 405);
  const head = await get("/", "HEAD");
  assert.equal(head.status, 200);
  assert.equal(head.body, "");
});

test("the per-request hook can add headers or answer itself", async () => {
  const csp = await get("/csp");
  assert.equal(csp.headers["content-security-policy"], "default-src 'self'");
  const answered = await get("/answered");
  assert.equal(answered.status, 418);
  assert.equal(answered.body, "teapot");
});

test("port comes from --port, then PORT, then 8080", () => {
  assert.equal(portFromArgs(["--port", "3000"], {}), 3000);
  assert.equal(portFromArgs(["--port=3001"], { PORT: "9" }), 3001);
  assert.equal(portFromArgs([], { PORT: "4000" }), 4000);
  assert.equal(portFromArgs([], {}), 8080);
  assert.throws(() => portFromArgs(["--port", "http"], {}), /bad port/);
});
