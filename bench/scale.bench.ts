// Scale (issue 18) and the cost of waiting (issue 12): stacks of 32 and 256 SpotBids, and 32
// single-node Tasks, through LocalEngine and the real plugin against the emulator with a real
// provisioning delay; and the same bid stacks through the real Pulumi CLI when one is on PATH or
// in the build cache (scripts/pulumi-cli/build.sh). Every figure is a ratio measured in this run.
import { readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { Task } from "../src/resources/task";
import { fcpStack, type FcpStack } from "../test/fixtures/resources/fcp-stack";
import { defaultParallel } from "../src/testing";
import { startEmulator } from "../src/emulator";
import { findPulumiBin, PulumiWorkspace, REPO_ROOT } from "../test/pulumi-cli/pulumi-cli";
import type { BenchResult } from "./bench-result";
import { manyBids } from "./stacks/many-bids/program";

const PROVISION_S = 5;
const POLL_MS = 500;
const A100 = "it_MsIRhxj3ccyVWGfP";
const CLI_STACK = path.join(REPO_ROOT, "bench/stacks/many-bids");

/** bench/stacks/many-bids, the program the CLI figures run too. */
function bidsProgram(n: number) {
  return async () => ({ running: manyBids(n) });
}

function tasksProgram(n: number) {
  return async () => {
    const tasks = Array.from({ length: n }, (_, i) => new Task(`job-${i}`, {
      instanceType: "a100", maxPricePerHour: 5, maxRunTimeHours: 1, shell: "echo hello", uploadCode: false,
    }));
    return { n: tasks.length };
  };
}

/** Resident-set high-water mark (VmHWM) of the dynamic-provider plugin this process started, in MiB. */
function pluginPeakRssMiB(): number | undefined {
  let best: number | undefined;
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
      if (ppid !== process.pid) continue;
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if (!/pulumi-resource|dynamic|provider/i.test(cmd)) continue;
      const kb = Number(/^VmHWM:\s+(\d+)/m.exec(status)?.[1]);
      if (Number.isFinite(kb)) best = Math.max(best ?? 0, kb / 1024);
    } catch {
      // The process ended while we looked.
    }
  }
  return best;
}

async function stack(n: number, parallel: number): Promise<FcpStack> {
  const s = await fcpStack({
    emulator: { provisionSeconds: PROVISION_S, seed: 18, instances: "none" },
    engine: { parallel, env: { FCP_POLL_INTERVAL_MS: String(POLL_MS) } },
  });
  await s.emulator.admin.setMarket({ instance_type: A100, region: "us-central1-a", price: "$2.40", capacity: n * 2 });
  return s;
}

interface Measured {
  /** The whole `up`, with the plugin already running (a preview started it). */
  upRatio: number;
  /** From the first bid placed until the last is running: the part the provider controls. */
  placedToRunningRatio: number;
  /** From the start of `up` until the last bid is placed: registering, checking and creating them all. */
  startToLastPlacedS: number;
  /** From the last bid running (placed + provisioning) until `up` is done: poll lag and finishing. */
  lastRunningToDoneS: number;
  requestsPerPoll: number;
  requestsPerBidPerMinute: number;
  destroyRatio: number;
  rssMiB?: number;
}

const posts = (s: FcpStack) => s.emulator.admin.requests().counts["POST /v2/spot/bids"] ?? 0;

/** When the first and the last of `n` bids were placed (ms after t0), from the emulator's count of placed bids. */
async function placements(count: () => number, n: number, t0: number, ended: () => boolean = () => false): Promise<{ firstMs: number; lastMs: number }> {
  let firstMs: number | undefined;
  // Bench only: the counter is read every 20 ms, so both times are late by up to 20 ms.
  for (let placed = count(); placed < n && !ended(); placed = count()) {
    if (firstMs === undefined && placed > 0) firstMs = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 20));
  }
  const lastMs = performance.now() - t0;
  return { firstMs: firstMs ?? lastMs, lastMs };
}

async function measure(n: number, parallel: number, program: () => Promise<Record<string, unknown>>, skipPreview = false): Promise<Measured> {
  const s = await stack(n, parallel);
  try {
    await s.engine.preview(program);
    s.emulator.admin.clearRequests();
    const t0 = performance.now();
    const up = s.engine.up(program, { skipPreview });
    const placed = await placements(() => posts(s), Math.min(n, parallel), t0);
    // The steady wait: from the last bid placed until the first runs, only polls are sent.
    s.emulator.admin.clearRequests();
    const w0 = performance.now();
    await new Promise((r) => setTimeout(r, 2_000));
    const window = s.emulator.admin.requests();
    const windowMs = performance.now() - w0;
    const gets = (window.counts["GET /v2/spot/bids"] ?? 0) + (window.counts["GET /v2/instances"] ?? 0);
    await up;
    const upEnd = performance.now();
    const rssMiB = pluginPeakRssMiB();
    const d0 = performance.now();
    await s.engine.destroy();
    const destroyMs = performance.now() - d0;
    // One cancel round trip: destroying a stack of one bid through the same engine and plugin.
    await s.engine.up(bidsProgram(1));
    const c0 = performance.now();
    await s.engine.destroy();
    const cancelMs = performance.now() - c0;
    return {
      upRatio: (upEnd - t0) / (PROVISION_S * 1000),
      placedToRunningRatio: (upEnd - t0 - placed.firstMs) / (PROVISION_S * 1000),
      startToLastPlacedS: placed.lastMs / 1000,
      lastRunningToDoneS: (upEnd - t0 - placed.lastMs - PROVISION_S * 1000) / 1000,
      requestsPerPoll: gets / (windowMs / POLL_MS),
      requestsPerBidPerMinute: (gets / n) * (60_000 / windowMs),
      destroyRatio: destroyMs / cancelMs,
      rssMiB,
    };
  } finally {
    await s.close();
  }
}

interface CliMeasured {
  upRatio: number;
  startToFirstPlacedS: number;
  placedToDoneRatio: number;
  requestsPerPoll: number;
  destroyRatio: number;
}

/**
 * bench/stacks/many-bids through the real CLI, as a platform team runs it: `pulumi up --yes
 * --skip-preview --parallel n+1` (file backend, passphrase secrets), then destroy; against an
 * emulator served from this process.
 */
async function measureCli(bin: string, n: number): Promise<CliMeasured> {
  const emulator = await startEmulator({ provisionSeconds: PROVISION_S, seed: 18, instances: "none" });
  await emulator.admin.setMarket({ instance_type: A100, region: "us-central1-a", price: "$2.40", capacity: n * 2 });
  const cli = new PulumiWorkspace(bin, CLI_STACK, { FCP_POLL_INTERVAL_MS: String(POLL_MS) });
  const stackName = `bench-${n}`;
  const count = (key: string) => emulator.admin.requests().counts[key] ?? 0;
  const parallel = ["--parallel", String(n + 1)];
  try {
    await cli.initStack(stackName, emulator, { "fcp:region": "us-central1-a", bids: String(n) });
    emulator.admin.clearRequests();
    const t0 = performance.now();
    let ended = false;
    const up = cli.ok(["up", "--yes", "--skip-preview", ...parallel]).finally(() => (ended = true));
    const { firstMs } = await placements(() => count("POST /v2/spot/bids"), n, t0, () => ended);
    emulator.admin.clearRequests();
    const w0 = performance.now();
    await new Promise((r) => setTimeout(r, 2_000));
    const windowMs = performance.now() - w0;
    const gets = count("GET /v2/spot/bids") + count("GET /v2/instances");
    await up;
    const upMs = performance.now() - t0;
    const d0 = performance.now();
    await cli.ok(["destroy", "--yes", "--skip-preview", ...parallel]);
    const destroyMs = performance.now() - d0;
    await cli.ok(["config", "set", "bids", "1"]);
    await cli.ok(["up", "--yes", "--skip-preview"]);
    const c0 = performance.now();
    await cli.ok(["destroy", "--yes", "--skip-preview"]);
    const cancelMs = performance.now() - c0;
    return {
      upRatio: upMs / (PROVISION_S * 1000),
      startToFirstPlacedS: firstMs / 1000,
      placedToDoneRatio: (upMs - firstMs) / (PROVISION_S * 1000),
      requestsPerPoll: gets / (windowMs / POLL_MS),
      destroyRatio: destroyMs / cancelMs,
    };
  } finally {
    await cli.removeStack(stackName);
    cli.dispose();
    await emulator.close();
  }
}

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  // Before the poller (issue 18): 32 bids, parallel 64, 5 s provisioning, 0.5 s polls took 8.9 s
  // (1.78x) and 586 requests; each waiting bid listed bids and instances on its own schedule.
  const naivePerBidPerMinute = 2 * (60_000 / POLL_MS);
  let rss32: number | undefined;
  for (const n of [32, 256]) {
    // LocalEngine's up as the Automation API's Stack.up() runs it (`pulumi up --yes --skip-preview`).
    const m = await measure(n, n + 1, bidsProgram(n), true);
    // And as `pulumi up --yes` runs it: the program twice, a preview before the update.
    const withPreview = await measure(n, n + 1, bidsProgram(n));
    if (n === 32) rss32 = m.rssMiB;
    results.push(
      { name: `${n} bids, LocalEngine: up ÷ provisioning (no preview, --parallel ${n + 1})`, value: m.upRatio, unit: "x", target: "≤ 1.2", ok: m.upRatio <= 1.2 },
      { name: `${n} bids, LocalEngine: up with its preview ÷ provisioning`, value: withPreview.upRatio, unit: "x", target: "≤ 1.2", ok: withPreview.upRatio <= 1.2 },
      { name: `${n} bids, LocalEngine: first bid placed → up done ÷ provisioning`, value: m.placedToRunningRatio, unit: "x", target: "≤ 1.2", ok: m.placedToRunningRatio <= 1.2 },
      { name: `${n} bids, LocalEngine: up start → last bid placed`, value: m.startToLastPlacedS, unit: "s" },
      { name: `${n} bids, LocalEngine: last bid running → up done (poll lag, finishing)`, value: m.lastRunningToDoneS, unit: "s" },
      { name: `${n} bids, LocalEngine: API requests per poll interval while waiting`, value: m.requestsPerPoll, unit: "requests", target: "≤ 3", ok: m.requestsPerPoll <= 3 },
      { name: `${n} bids, LocalEngine: destroy ÷ destroy of one bid`, value: m.destroyRatio, unit: "x" },
    );
    if (m.rssMiB !== undefined) results.push({ name: `${n} bids: provider plugin peak RSS per 100 bids`, value: (m.rssMiB * 100) / n, unit: "MiB" });
    if (n === 256 && rss32 !== undefined && m.rssMiB !== undefined) {
      results.push({ name: "provider plugin RSS growth per 100 bids (32 → 256)", value: ((m.rssMiB - rss32) * 100) / (256 - 32), unit: "MiB" });
    }
  }
  let bin: string | undefined;
  try {
    bin = findPulumiBin();
  } catch (err) {
    console.log(`  (no Pulumi CLI, so no CLI figures: ${err instanceof Error ? err.message : String(err)})`);
  }
  for (const n of bin ? [32, 256] : []) {
    const c = await measureCli(bin as string, n);
    results.push(
      { name: `${n} bids, Pulumi CLI: up ÷ provisioning (--skip-preview --parallel ${n + 1})`, value: c.upRatio, unit: "x", target: "≤ 1.2", ok: c.upRatio <= 1.2 },
      { name: `${n} bids, Pulumi CLI: start → first bid placed`, value: c.startToFirstPlacedS, unit: "s" },
      { name: `${n} bids, Pulumi CLI: first bid placed → up done ÷ provisioning`, value: c.placedToDoneRatio, unit: "x", target: "≤ 1.2", ok: c.placedToDoneRatio <= 1.2 },
      { name: `${n} bids, Pulumi CLI: API requests per poll interval while waiting`, value: c.requestsPerPoll, unit: "requests", target: "≤ 3", ok: c.requestsPerPoll <= 3 },
      { name: `${n} bids, Pulumi CLI: destroy ÷ destroy of one bid`, value: c.destroyRatio, unit: "x" },
    );
  }
  const cli = defaultParallel();
  const d = await measure(32, cli, bidsProgram(32));
  results.push({ name: `32 bids, LocalEngine: up ÷ provisioning (the CLI's default --parallel ${cli})`, value: d.upRatio, unit: "x", target: `floor ${Math.ceil(32 / cli)} (waves of ${cli})` });

  // Issue 12, item 6: 32 single-node Tasks (an SSH key and a bid each).
  const t = await measure(32, 3 * 32 + 1, tasksProgram(32));
  results.push(
    { name: "32 tasks: up ÷ provisioning delay", value: t.upRatio, unit: "x", target: "floor 1.0" },
    { name: "32 tasks: API requests per bid per minute while waiting", value: t.requestsPerBidPerMinute, unit: "req/bid/min", target: `< ${naivePerBidPerMinute} (one bid + one instance listing per bid per poll)`, ok: t.requestsPerBidPerMinute < naivePerBidPerMinute },
    { name: "32 tasks: destroy ÷ destroy of one bid", value: t.destroyRatio, unit: "x" },
  );
  return results;
}
