// One soak run: the emulator in a child process with a state file, seeded faults of every kind,
// the client half and the Pulumi half, kill -9 and restart in the middle of each, then a look at
// FCP's state (after one more kill -9, so only what was saved counts) against what was
// acknowledged. `npm run soak` prints the table; test/integration/soak runs a small one.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { clientPhase, soakClient } from "./client-phase";
import { EmulatorProcess } from "./emulator-process";
import { faultPlan, faultsFired, setFaults } from "./fault-plan";
import { Ledger, VERDICT_ROWS, type Verdict } from "./ledger";
import { everything, missing, observer, verdict } from "./observe";
import { pulumiPhase } from "./pulumi-phase";

export interface SoakOptions {
  /** @default 1000 */
  bids: number;
  /** @default bids / 10 */
  volumes: number;
  /** @default bids / 10 */
  keys: number;
  /** Share of API requests that meet a fault. @default 0.2 */
  rate: number;
  seed: number;
  /** LocalEngines running at once. @default 3 */
  engines: number;
  /** SpotBids per engine's stack (plus one Volume and one SshKey). @default 10 */
  bidsPerEngine: number;
  /** Tries per create, delete, up or destroy. @default 5 */
  attempts: number;
  log: (line: string) => void;
}

export interface SoakReport {
  verdict: Verdict;
  options: SoakOptions;
  requests: number;
  faults: Record<string, number>;
  kills: number;
  retriedAttempts: number;
  retriedRuns: number;
  /** Acknowledged creates by kind (client and stacks). */
  created: Record<string, number>;
  notes: string[];
  seconds: number;
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const started = Date.now();
  const work = mkdtempSync(path.join(tmpdir(), "fcp-soak-"));
  const emulator = new EmulatorProcess(path.join(work, "emulator-state.json"), options.seed);
  const ledger = new Ledger();
  const prefix = `soak-${options.seed}-`;
  const plan = faultPlan(options.rate, options.seed);
  const fired: Record<string, number> = {};
  let requests = 0;
  const collect = async () => {
    for (const [k, v] of Object.entries(await faultsFired(emulator.url))) fired[k] = (fired[k] ?? 0) + v;
    requests += await requestTotal(emulator.url);
  };
  const killAndRestart = async (why: string) => {
    await collect();
    options.log(`kill -9 of the emulator (${why}), restart on port ${emulator.port} with --state`);
    await emulator.killAndRestart();
    await setFaults(emulator.url, { ...plan, seed: plan.seed! + emulator.kills });
  };

  await emulator.start();
  try {
    await setFaults(emulator.url, plan);
    options.log(`emulator ${emulator.url}; faults at ${(options.rate * 100).toFixed(0)}% of requests (seed ${options.seed})`);

    options.log(`client: ${options.bids} bids, ${options.volumes} volumes, ${options.keys} keys`);
    const client = soakClient(emulator);
    let halves = 0;
    try {
      await clientPhase(client, ledger, {
        bids: options.bids,
        volumes: options.volumes,
        keys: options.keys,
        prefix,
        attempts: options.attempts,
        concurrency: 16,
        midway: async () => {
          halves += 1;
          await killAndRestart(halves === 1 ? "half of the client's creates done" : "half of the client's deletes done");
          if (halves === 1) {
            // Everything acknowledged before the listing must be on FCP after the restart. The
            // other workers keep creating meanwhile, so take the ledger's snapshot first.
            const acknowledged = { bid: new Map(ledger.created.bid), volume: new Map(ledger.created.volume), key: new Map(ledger.created.key) };
            await setFaults(emulator.url, {});
            const seen = await withObserver(emulator.url, (c) => everything(c, `${prefix}c-`));
            await setFaults(emulator.url, plan);
            for (const kind of ["bid", "volume", "key"] as const) {
              const lost = missing(acknowledged[kind], seen[kind]);
              ledger.trackedButMissing += lost.length;
              for (const fid of lost) ledger.notes.push(`tracked ${kind} ${fid} (client) is not on FCP after the restart`);
            }
          }
        },
      });
    } finally {
      await client.close();
    }

    const pulumiBids = options.engines * options.bidsPerEngine;
    options.log(`Pulumi: ${options.engines} LocalEngines at once, ${options.bidsPerEngine} SpotBids + 1 Volume + 1 SshKey each`);
    await collect();
    await fetch(`${emulator.url}/_emulator/requests`, { method: "DELETE" });
    await pulumiPhase(emulator, ledger, {
      engines: options.engines,
      bidsPerEngine: options.bidsPerEngine,
      prefix,
      attempts: options.attempts,
      midway: async () => {
        await untilBidPosts(emulator.url, Math.ceil(pulumiBids / 2));
        await killAndRestart("half of the stacks' bids posted");
      },
      faults: async (on) => setFaults(emulator.url, on ? plan : {}),
    });

    // Only what the emulator saved counts: one more kill -9 before the final look.
    await killAndRestart("before the final count");
    await setFaults(emulator.url, {});
    const end = await withObserver(emulator.url, (c) => everything(c, prefix));
    await collect();
    return {
      verdict: verdict(ledger, end),
      options,
      requests,
      faults: fired,
      kills: emulator.kills,
      retriedAttempts: ledger.retriedAttempts,
      retriedRuns: ledger.retriedRuns,
      created: Object.fromEntries(Object.entries(ledger.created).map(([k, m]) => [k, m.size])),
      notes: ledger.notes,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    await emulator.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

export function formatReport(r: SoakReport): string {
  const o = r.options;
  const faults = Object.entries(r.faults)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
  const lines = [
    `soak: ${o.bids} bids, ${o.volumes} volumes, ${o.keys} keys through FcpClient; ${o.engines} LocalEngines × (${o.bidsPerEngine} SpotBids + 1 Volume + 1 SshKey)`,
    `acknowledged creates: ${r.created.bid} bids, ${r.created.volume} volumes, ${r.created.key} keys`,
    `faults: ${(o.rate * 100).toFixed(0)}% of API requests, seed ${o.seed}; fired: ${faults}; ${r.requests} API requests; kill -9 + restart: ${r.kills}; retried attempts: ${r.retriedAttempts} (of them stack ups/destroys run again: ${r.retriedRuns}); ${r.seconds.toFixed(0)} s`,
    "",
    `| ${"check".padEnd(72)} | count |`,
    `|${"-".repeat(74)}|-------|`,
    ...VERDICT_ROWS.map(([key, label]) => `| ${label.padEnd(72)} | ${String(r.verdict[key]).padStart(5)} |`),
  ];
  if (r.notes.length) lines.push("", "notes:", ...r.notes.map((n) => `- ${n}`));
  return lines.join("\n");
}

export function allZero(v: Verdict): boolean {
  return Object.values(v).every((n) => n === 0);
}

async function requestTotal(url: string): Promise<number> {
  const res = await fetch(`${url}/_emulator/requests`);
  const body = (await res.json()) as { counts: Record<string, number> };
  return Object.values(body.counts).reduce((a, b) => a + b, 0);
}

/** Waits (polling the admin API) until the emulator has seen `n` bid POSTs. */
async function untilBidPosts(url: string, n: number, deadlineMs = 300_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    const res = await fetch(`${url}/_emulator/requests`);
    const body = (await res.json()) as { counts: Record<string, number> };
    if ((body.counts["POST /v2/spot/bids"] ?? 0) >= n) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the stacks posted fewer than ${n} bids within ${deadlineMs / 1000} s`);
}

async function withObserver<T>(url: string, run: (c: ReturnType<typeof observer>) => Promise<T>): Promise<T> {
  const c = observer(url);
  try {
    return await run(c);
  } finally {
    await c.close();
  }
}
