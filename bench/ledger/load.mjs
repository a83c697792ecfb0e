// A small closed-loop load generator on loopback: `concurrency` workers,
// each sending its next request as soon as the last one was answered, until
// `total` requests went out. Latency is measured per request, from write to
// the end of the answer. Only answers with `okStatus` count as acknowledged.

import { readFileSync } from "node:fs";
import http from "node:http";

/**
 * @param {{url: string, total: number, concurrency: number,
 *          body: (i: number) => {path: string, headers: object, payload: string},
 *          okStatus: number[]}} opts
 */
export async function load({ url, total, concurrency, body, okStatus }) {
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies = [];
  let next = 0;
  let acked = 0;
  const failures = new Map();
  const one = (i) =>
    new Promise((done) => {
      const { path, headers, payload } = body(i);
      const t0 = process.hrtime.bigint();
      const req = http.request(
        { host: target.hostname, port: target.port, path, method: "POST", agent, headers: { ...headers, "Content-Length": Buffer.byteLength(payload) } },
        (res) => {
          res.resume();
          res.on("end", () => {
            latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
            if (okStatus.includes(res.statusCode)) acked++;
            else failures.set(res.statusCode, (failures.get(res.statusCode) ?? 0) + 1);
            done();
          });
        },
      );
      req.on("error", (e) => {
        failures.set(e.code ?? "error", (failures.get(e.code ?? "error") ?? 0) + 1);
        done();
      });
      req.end(payload);
    });
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await one(next++);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  return { acked, seconds, perSecond: acked / seconds, p50: pct(50), p99: pct(99), failures: Object.fromEntries(failures) };
}

/** Peak and current resident memory of a process, in MiB (Linux /proc). */
export function memory(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (k) => Number((status.match(new RegExp(`^${k}:\\s+(\\d+)`, "m")) ?? [])[1] ?? NaN);
    return { peakMiB: kb("VmHWM") / 1024, rssMiB: kb("VmRSS") / 1024 };
  } catch {
    return { peakMiB: NaN, rssMiB: NaN };
  }
}
