// The client half: N bids, volumes and keys created and then destroyed through FcpClient under
// faults, with kill -9 of the emulator half way through each. A create or delete that fails is
// tried again, as the next `pulumi up` or `destroy` would; only acknowledged results count.
import { FcpClient } from "../../src/fcp-client/client";
import { generateEd25519KeyPair } from "../../src/ssh/generate-key-pair";
import type { EmulatorProcess } from "./emulator-process";
import type { Kind, Ledger } from "./ledger";

export interface ClientPhaseOptions {
  bids: number;
  volumes: number;
  keys: number;
  prefix: string;
  /** Tries per create or delete before it counts as failed. */
  attempts: number;
  concurrency: number;
  /** Called after half of the creates and half of the deletes are done: kill -9 and restart. */
  midway: () => Promise<void>;
}

export function soakClient(emulator: EmulatorProcess): FcpClient {
  return new FcpClient({
    apiKey: "fcp-dev-key",
    apiUrl: emulator.url,
    project: "my-project",
    region: "us-central1-a",
    env: {},
    homeDir: "/nonexistent",
    // The client's own backoff and deadline, as users run it; only the settle wait is short.
    createSettleMs: 200,
    maxConcurrency: 16,
  });
}

interface Job {
  kind: Kind;
  name: string;
}

export async function clientPhase(client: FcpClient, ledger: Ledger, o: ClientPhaseOptions): Promise<void> {
  const jobs: Job[] = [
    ...range(o.bids).map((i) => ({ kind: "bid" as const, name: `${o.prefix}c-bid-${i}` })),
    ...range(o.volumes).map((i) => ({ kind: "volume" as const, name: `${o.prefix}c-vol-${i}` })),
    ...range(o.keys).map((i) => ({ kind: "key" as const, name: `${o.prefix}c-key-${i}` })),
  ];
  const create = async (job: Job): Promise<void> => {
    for (let attempt = 1; attempt <= o.attempts; attempt++) {
      try {
        const fid =
          job.kind === "bid"
            ? (await client.createBid({ name: job.name, instanceType: "a100", limitPrice: "$1.00", sshKeys: [] })).fid
            : job.kind === "volume"
              ? (await client.createVolume({ name: job.name, sizeGb: 10 })).fid
              : (await client.createSshKey({ name: job.name, publicKey: PUBLIC_KEY })).fid;
        ledger.created[job.kind].set(job.name, fid);
        return;
      } catch (err) {
        if (attempt === o.attempts) ledger.notes.push(`create ${job.name} failed ${o.attempts} times: ${(err as Error).message}`);
        else {
          ledger.retriedAttempts += 1;
          await later(attempt);
        }
      }
    }
  };
  await inHalves(jobs, o.concurrency, create, o.midway);

  const tracked = jobs.flatMap((job) => {
    const fid = ledger.created[job.kind].get(job.name);
    return fid ? [{ ...job, fid }] : [];
  });
  const remove = async (job: Job & { fid: string }): Promise<void> => {
    for (let attempt = 1; attempt <= o.attempts; attempt++) {
      try {
        if (job.kind === "bid") await client.cancelBid(job.fid);
        else if (job.kind === "volume") await client.deleteVolume(job.fid);
        else await client.deleteSshKey(job.fid);
        ledger.removed[job.kind].add(job.fid);
        return;
      } catch (err) {
        if (attempt === o.attempts) {
          ledger.failedDestroys += 1;
          ledger.notes.push(`delete ${job.name} (${job.fid}) failed ${o.attempts} times: ${(err as Error).message}`);
        } else {
          ledger.retriedAttempts += 1;
          await later(attempt);
        }
      }
    }
  };
  // Bids first: a volume is deleted once no bid uses it (none here), keys last, as a destroy orders them.
  await inHalves(tracked, o.concurrency, remove, o.midway);
}

/**
 * Runs every item, `width` at a time; once half are done, `midway` runs while the rest are in
 * flight (so the kill -9 cuts requests mid-way).
 */
async function inHalves<T>(items: T[], width: number, run: (item: T) => Promise<void>, midway: () => Promise<void>): Promise<void> {
  let next = 0;
  let done = 0;
  let fired: Promise<void> | undefined;
  const half = Math.ceil(items.length / 2);
  await Promise.all(
    range(Math.min(width, items.length)).map(async () => {
      while (next < items.length) {
        await run(items[next++]);
        done += 1;
        if (done === half) fired = midway();
      }
    }),
  );
  await (fired ?? midway());
}

/** A user runs `up` or `destroy` again a little later, not at once. */
export function later(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 500 * attempt));
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

const PUBLIC_KEY = generateEd25519KeyPair("soak@pulumi-fcp").publicKey;
