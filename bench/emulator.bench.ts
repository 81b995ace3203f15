// What the emulator sustains on this machine: bid creation with and without a state file (every
// answer waits for an fsync'd atomic save; concurrent changes share one save), listing, startup.
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Pool } from "undici";
import { startEmulator, type RunningEmulator } from "../src/emulator";

export type { BenchResult } from "./bench-result";
import type { BenchResult } from "./bench-result";

const CONCURRENCY = 32;
const CREATES = 1500;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function createBids(emu: RunningEmulator, pool: Pool, count: number): Promise<{ perSecond: number; p50: number; p99: number }> {
  const body = (i: number) =>
    JSON.stringify({
      project: emu.projectFid,
      region: "us-central1-a",
      instance_type: "it_MsIRhxj3ccyVWGfP",
      limit_price: "$1.00",
      name: `bench-${i}`,
      startup_script: "#!/bin/bash\necho bench\n",
    });
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        const i = next++;
        const t = performance.now();
        const res = await pool.request({
          path: "/v2/spot/bids",
          method: "POST",
          headers: { authorization: `Bearer ${emu.apiKey}`, "content-type": "application/json" },
          body: body(i),
        });
        await res.body.text();
        if (res.statusCode !== 201) throw new Error(`create answered ${res.statusCode}`);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { perSecond: count / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

async function listPages(emu: RunningEmulator, pool: Pool, requests: number): Promise<number> {
  let done = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (done < requests) {
        done++;
        const res = await pool.request({ path: "/v2/spot/bids?limit=100", method: "GET", headers: { authorization: `Bearer ${emu.apiKey}` } });
        await res.body.text();
        if (res.statusCode !== 200) throw new Error(`list answered ${res.statusCode}`);
      }
    }),
  );
  return requests / ((performance.now() - started) / 1000);
}

const round = (n: number) => Math.round(n * 10) / 10;

export async function run(): Promise<BenchResult[]> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "fcp-emu-bench-"));
  const results: BenchResult[] = [];
  try {
    const t0 = performance.now();
    const memory = await startEmulator({ seed: 1, instances: "none" });
    const startupMs = performance.now() - t0;
    const memPool = new Pool(memory.url, { connections: CONCURRENCY });
    try {
      await createBids(memory, memPool, 100);
      const mem = await createBids(memory, memPool, CREATES);
      const listRate = await listPages(memory, memPool, 500);
      results.push(
        { name: "emulator start (in memory)", value: round(startupMs), unit: "ms", target: "< 500 ms", ok: startupMs < 500 },
        { name: `bid creates, ${CONCURRENCY} concurrent, in memory`, value: round(mem.perSecond), unit: "req/s", target: ">= 300 req/s", ok: mem.perSecond >= 300 },
        { name: "bid create latency p50 / p99, in memory", value: round(mem.p50), unit: `ms (p99 ${round(mem.p99)} ms)` },
        { name: "bid list pages (100 of 1600 bids)", value: round(listRate), unit: "req/s", target: ">= 100 req/s", ok: listRate >= 100 },
      );
    } finally {
      await memPool.close();
      await memory.close();
    }

    const durable = await startEmulator({ seed: 1, instances: "none", statePath: path.join(dir, "bench.json") });
    const durablePool = new Pool(durable.url, { connections: CONCURRENCY });
    try {
      await createBids(durable, durablePool, 100);
      const disk = await createBids(durable, durablePool, CREATES);
      const size = (await fs.stat(path.join(dir, "bench.json"))).size;
      results.push(
        { name: `bid creates, ${CONCURRENCY} concurrent, --state (fsync before answer)`, value: round(disk.perSecond), unit: "req/s", target: ">= 100 req/s", ok: disk.perSecond >= 100 },
        { name: "bid create latency p50 / p99, --state", value: round(disk.p50), unit: `ms (p99 ${round(disk.p99)} ms)` },
        { name: "state file size with 1600 bids", value: round(size / 1024), unit: "KiB" },
      );
    } finally {
      await durablePool.close();
      await durable.close();
    }
    return results;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
