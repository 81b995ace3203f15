// Looks at FCP behind the soak's back, with faults off: every bid (any status), volume and key.
import { TERMINAL_BID_STATUSES } from "../../src/fcp-api/schemas/status";
import { FcpClient } from "../../src/fcp-client/client";
import type { Kind, Ledger, Verdict } from "./ledger";

export interface Seen {
  fid: string;
  name: string;
  live: boolean;
}

export function observer(url: string): FcpClient {
  return new FcpClient({ apiKey: "fcp-dev-key", apiUrl: url, project: "my-project", region: "us-central1-a", env: {}, homeDir: "/nonexistent" });
}

export async function everything(client: FcpClient, prefix: string): Promise<Record<Kind, Seen[]>> {
  const bids = (await client.listBids()).map((b) => ({ fid: b.fid, name: b.name ?? "", live: !TERMINAL_BID_STATUSES.includes(b.status) }));
  const volumes = (await client.listVolumes()).map((v) => ({ fid: v.fid, name: v.name ?? "", live: true }));
  const keys = (await client.listSshKeys()).map((k) => ({ fid: k.fid, name: k.name ?? "", live: true }));
  const mine = (s: Seen) => s.name.startsWith(prefix);
  return { bid: bids.filter(mine), volume: volumes.filter(mine), key: keys.filter(mine) };
}

/** Ids tracked (name → id) that FCP does not know. */
export function missing(tracked: Map<string, string>, seen: Seen[]): string[] {
  const known = new Set(seen.map((s) => s.fid));
  return [...tracked.values()].filter((fid) => !known.has(fid));
}

/** The table's numbers from what FCP holds at the end and what the ledger was told. */
export function verdict(ledger: Ledger, end: Record<Kind, Seen[]>): Verdict {
  let duplicates = 0;
  let orphans = 0;
  let lost = 0;
  for (const kind of ["bid", "volume", "key"] as const) {
    const byName = new Map<string, number>();
    for (const s of end[kind]) byName.set(s.name, (byName.get(s.name) ?? 0) + 1);
    for (const [name, n] of byName) {
      if (n > 1) ledger.notes.push(`duplicate ${kind} ${name}: ${end[kind].filter((s) => s.name === name).map((s) => s.fid).join(", ")}`);
      duplicates += Math.max(0, n - 1);
    }
    for (const s of end[kind].filter((x) => x.live)) ledger.notes.push(`orphan ${kind} ${s.name} (${s.fid})`);
    orphans += end[kind].filter((s) => s.live).length;
    const present = new Map(end[kind].map((s) => [s.fid, s]));
    for (const fid of ledger.removed[kind]) {
      const s = present.get(fid);
      if (s?.live) lost += 1; // an acknowledged cancel/delete that did not stick
    }
    // Bids stay listed once cancelled; an acknowledged bid that is not there was lost.
    if (kind === "bid") for (const fid of ledger.created.bid.values()) if (!present.has(fid)) lost += 1;
  }
  return { duplicates, orphans, trackedButMissing: ledger.trackedButMissing, lostAcknowledgedWrites: lost, failedDestroys: ledger.failedDestroys };
}
