// The Pulumi half: several LocalEngines at once, each a stack of SpotBids, a Volume and an
// SshKey through the real dynamic-provider plugin, under the same faults, with kill -9 of the
// emulator while the ups run. A failed `up` or `destroy` is run again, as a user would.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { SpotBid } from "../../src/resources/spot-bid";
import { SshKey } from "../../src/resources/ssh-key";
import { Volume } from "../../src/resources/volume";
import { LocalEngine } from "../../src/testing";
import type { EmulatorProcess } from "./emulator-process";
import { later } from "./client-phase";
import type { Kind, Ledger } from "./ledger";
import { everything, missing, observer } from "./observe";

const REPO_ROOT = path.resolve(__dirname, "../..");

export interface PulumiPhaseOptions {
  engines: number;
  bidsPerEngine: number;
  prefix: string;
  attempts: number;
  /** Runs while the ups are in flight: kill -9 and restart. */
  midway: () => Promise<void>;
  /** Turns faults off and on, for the look behind the engines' backs. */
  faults: (on: boolean) => Promise<void>;
}

const OUTPUT_ID: Record<string, [Kind, string]> = {
  "pulumi-nodejs:dynamic/fcp:SpotBid": ["bid", "bidId"],
  "pulumi-nodejs:dynamic/fcp:Volume": ["volume", "volumeId"],
  "pulumi-nodejs:dynamic/fcp:SshKey": ["key", "keyId"],
};

export async function pulumiPhase(emulator: EmulatorProcess, ledger: Ledger, o: PulumiPhaseOptions): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "fcp-soak-stacks-"));
  const engineFor = (e: number) =>
    new LocalEngine({
      project: "fcp-soak",
      stack: `soak-${e}`,
      stateFile: path.join(dir, `stack-${e}.json`),
      secretsPassphrase: "soak",
      cwd: REPO_ROOT,
      config: {
        "fcp:apiKey": { value: "fcp-dev-key", secret: true },
        "fcp:apiUrl": emulator.url,
        "fcp:project": "my-project",
        "fcp:region": "us-central1-a",
      },
      env: { HOME: dir, FCP_POLL_INTERVAL_MS: "100" },
    });
  const program = (e: number) => async () => {
    const key = new SshKey(`key`, { name: `${o.prefix}p${e}-key` });
    const volume = new Volume(`vol`, { name: `${o.prefix}p${e}-vol`, sizeGb: 10 });
    for (let i = 0; i < o.bidsPerEngine; i++) {
      new SpotBid(`bid-${i}`, {
        name: `${o.prefix}p${e}-bid-${i}`,
        instanceType: "a100",
        limitPrice: 1,
        sshKeyIds: [key.keyId],
        volumeIds: i === 0 ? [volume.volumeId] : [],
        waitFor: "none",
      });
    }
    return {};
  };
  const engines = Array.from({ length: o.engines }, (_, e) => engineFor(e));
  try {
    const upAll = Promise.all(engines.map((engine, e) => retried(ledger, o.attempts, `up of stack soak-${e}`, () => engine.up(program(e)))));
    await o.midway();
    const ups = await upAll;

    // What the stacks track, against what FCP holds.
    await o.faults(false);
    const seen = await withObserver(emulator, (c) => everything(c, o.prefix));
    await o.faults(true);
    for (const engine of engines) {
      const tracked: Record<Kind, Map<string, string>> = { bid: new Map(), volume: new Map(), key: new Map() };
      for (const r of await engine.resources()) {
        const out = OUTPUT_ID[r.type];
        const id = out ? r.outputs[out[1]] : undefined;
        if (out && typeof id === "string") tracked[out[0]].set(r.urn, id);
      }
      for (const kind of ["bid", "volume", "key"] as const) {
        const lost = missing(tracked[kind], seen[kind]);
        ledger.trackedButMissing += lost.length;
        for (const fid of lost) ledger.notes.push(`tracked ${kind} ${fid} (stack state) is not on FCP`);
        for (const [urn, fid] of tracked[kind]) ledger.created[kind].set(urn, fid);
      }
    }
    if (ups.some((ok) => !ok)) ledger.notes.push("an up failed after every attempt; its destroy still has to leave nothing behind");

    const destroys = await Promise.all(engines.map((engine, e) => retried(ledger, o.attempts, `destroy of stack soak-${e}`, () => engine.destroy())));
    ledger.failedDestroys += destroys.filter((ok) => !ok).length;
    for (const [kind, ids] of Object.entries(ledger.created) as [Kind, Map<string, string>][]) {
      for (const [urn, fid] of ids) if (urn.startsWith("urn:") && destroys.every(Boolean)) ledger.removed[kind].add(fid);
    }
  } finally {
    await Promise.all(engines.map((engine) => engine.close()));
  }
}

async function retried(ledger: Ledger, attempts: number, what: string, run: () => Promise<unknown>): Promise<boolean> {
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      await run();
      return true;
    } catch (err) {
      if (attempt === attempts) {
        ledger.notes.push(`${what} failed ${attempts} times: ${(err as Error).message.split("\n").slice(0, 3).join(" / ")}`);
        return false;
      }
      ledger.retriedAttempts += 1;
      ledger.retriedRuns += 1;
      await later(attempt);
    }
  }
  return false;
}

async function withObserver<T>(emulator: EmulatorProcess, run: (c: ReturnType<typeof observer>) => Promise<T>): Promise<T> {
  const c = observer(emulator.url);
  try {
    return await run(c);
  } finally {
    await c.close();
  }
}
