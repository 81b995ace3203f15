// What the soak knows it was told: every create FCP acknowledged (name → id), every cancel or
// delete FCP acknowledged, and every destroy that failed for good. The verdict compares this
// with what FCP holds.
export type Kind = "bid" | "volume" | "key";

export class Ledger {
  /** Acknowledged creates by kind: name → id. */
  readonly created: Record<Kind, Map<string, string>> = { bid: new Map(), volume: new Map(), key: new Map() };
  /** Ids whose cancel/delete FCP acknowledged. */
  readonly removed: Record<Kind, Set<string>> = { bid: new Set(), volume: new Set(), key: new Set() };
  /** Ids a stack (client ledger or Pulumi state) tracks but FCP did not know, counted before destroy. */
  trackedButMissing = 0;
  /** Destroys (client deletes, engine destroys) that still failed after every attempt. */
  failedDestroys = 0;
  /** Attempts that failed and were tried again, as a user would run `up` or `destroy` again. */
  retriedAttempts = 0;
  /** Of those, whole `up`/`destroy` runs of a stack. */
  retriedRuns = 0;
  readonly notes: string[] = [];
}

export interface Verdict {
  duplicates: number;
  orphans: number;
  trackedButMissing: number;
  lostAcknowledgedWrites: number;
  failedDestroys: number;
}

export const VERDICT_ROWS: ReadonlyArray<[keyof Verdict, string]> = [
  ["duplicates", "duplicates (more than one FCP object per name)"],
  ["orphans", "orphans (live on FCP after destroy)"],
  ["trackedButMissing", "tracked-but-missing (tracked id FCP does not know)"],
  ["lostAcknowledgedWrites", "lost acknowledged writes (2xx create/cancel/delete not in FCP's state)"],
  ["failedDestroys", "failed destroys (after every retry)"],
];
