#!/usr/bin/env node
// c15t's self-hosted backend (@c15t/backend, Hono) on node:http for the
// side-by-side ledger benchmark. Follows the package's docs/self-host guide:
// a Kysely instance, the kysely adapter, c15tInstance(), and its migrator in
// place of the CLI. Prints "listening on <url>" like consentry-server.
//
//   node server.mjs --database sqlite:///path/file.db | postgres://…
//
// Loopback only; logs at error level so logging costs both servers alike.

import { serve } from "@hono/node-server";
import { c15tInstance } from "@c15t/backend";
import { kyselyAdapter } from "@c15t/backend/db/adapters/kysely";
import { migrator } from "@c15t/backend/db/migrator";
import { DB } from "@c15t/backend/db/schema";
import Database from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";

const i = process.argv.indexOf("--database");
const database = i > 0 ? process.argv[i + 1] : "";
let kysely, provider;
if (database.startsWith("sqlite://")) {
  const file = new Database(database.slice("sqlite://".length));
  file.pragma("journal_mode = WAL"); // WAL, as consentry-server
  file.pragma("synchronous = FULL"); // as consentry-server: on disk before the answer
  kysely = new Kysely({ dialect: new SqliteDialect({ database: file }) });
  provider = "sqlite";
} else if (database.startsWith("postgres://")) {
  kysely = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database, max: 8 }) }) });
  provider = "postgresql";
} else {
  console.error("usage: server.mjs --database sqlite:///file.db | postgres://…");
  process.exit(2);
}

const adapter = kyselyAdapter({ db: kysely, provider });
const migration = await migrator({ db: DB.client(adapter), schema: "latest" });
await migration.execute();

const c15t = c15tInstance({
  appName: "consentry-bench",
  basePath: "/api/c15t",
  trustedOrigins: ["http://127.0.0.1"],
  adapter,
  logger: { level: "error" },
});

const server = serve({ fetch: c15t.handler, hostname: "127.0.0.1", port: 0 }, (info) => {
  console.log(`listening on http://127.0.0.1:${info.port}`);
});
process.on("SIGTERM", () => server.close(async () => (await kysely.destroy(), process.exit(0))));
