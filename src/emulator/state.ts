// The emulator's whole world, as saved in the --state file. Times are epoch milliseconds of the
// emulator's clock; prices are integer cents. The zod schema guards what a state file may hold,
// so a file that merely parses as JSON is not taken for ours.
import { z } from "zod";

export const STATE_FORMAT = "fcp-emulator-state";
export const STATE_VERSION = 1;

/** Statuses a bid takes in the emulator (a subset of the client's BID_STATUSES). */
export const EMULATOR_BID_STATUSES = [
  "pending",
  "provisioning",
  "allocated",
  "running",
  "paused",
  "cancelled",
  "completed",
  "failed",
  "terminated",
] as const;
export type EmulatorBidStatus = (typeof EMULATOR_BID_STATUSES)[number];

/** Bid statuses that end a bid for good: it holds nothing and cannot be changed. */
export const FINAL_BID_STATUSES: readonly EmulatorBidStatus[] = ["cancelled", "completed", "failed", "terminated"];

export const EMULATOR_INSTANCE_STATUSES = ["pending", "running", "terminated"] as const;

const fid = z.string().min(1);
const ms = z.number().finite();

export const projectRecord = z.object({ fid, name: z.string(), createdAt: ms });
export const userRecord = z.object({ fid, username: z.string(), email: z.string() });

export const bidRecord = z.object({
  seq: z.number().int(),
  fid,
  name: z.string().nullable(),
  project: fid,
  createdBy: fid,
  region: z.string(),
  instanceType: fid,
  quantity: z.number().int().min(1),
  limitCents: z.number().int().nonnegative(),
  sshKeys: z.array(z.string()),
  startupScript: z.string(),
  volumes: z.array(z.string()),
  status: z.enum(EMULATOR_BID_STATUSES),
  paused: z.boolean(),
  /** When the current allocation was made; null while the bid holds no instances. */
  allocatedAt: ms.nullable(),
  /** Instances of the current allocation (empty while pending or paused). */
  instances: z.array(fid),
  createdAt: ms,
  updatedAt: ms,
});

export const instanceRecord = z.object({
  seq: z.number().int(),
  fid,
  bid: fid,
  project: fid,
  instanceType: fid,
  region: z.string(),
  status: z.enum(EMULATOR_INSTANCE_STATUSES),
  /** Assigned at allocation, shown once the instance runs. */
  sshDestination: z.string(),
  privateIp: z.string(),
  createdAt: ms,
  terminatedAt: ms.nullable(),
});

export const volumeRecord = z.object({
  seq: z.number().int(),
  fid,
  name: z.string(),
  project: fid,
  region: z.string(),
  sizeGb: z.number().int().positive(),
  interface: z.enum(["block", "file"]),
  createdAt: ms,
  updatedAt: ms,
});

export const sshKeyRecord = z.object({
  seq: z.number().int(),
  fid,
  name: z.string(),
  project: fid,
  publicKey: z.string(),
  /** Mithril's "required" flag: every bid in the project must list this key. Absent in older files. */
  required: z.boolean().optional(),
  createdAt: ms,
});

/** One (instance type, region) pool: its clearing price and how many instances it has in all. */
export const marketRecord = z.object({
  auctionFid: fid,
  instanceType: fid,
  region: z.string(),
  priceCents: z.number().int().nonnegative(),
  capacity: z.number().int().nonnegative(),
});

export const emulatorState = z.object({
  seed: z.number().int(),
  /** Counter behind every FID and list order; never goes back, not even on reset. */
  seq: z.number().int().nonnegative(),
  clockOffsetMs: z.number().finite(),
  /** Emulator time of the last save, so a restart never moves the clock backwards. */
  savedAt: ms,
  user: userRecord,
  projects: z.record(z.string(), projectRecord),
  bids: z.record(z.string(), bidRecord),
  instances: z.record(z.string(), instanceRecord),
  volumes: z.record(z.string(), volumeRecord),
  sshKeys: z.record(z.string(), sshKeyRecord),
  market: z.array(marketRecord),
});

export type ProjectRecord = z.infer<typeof projectRecord>;
export type BidRecord = z.infer<typeof bidRecord>;
export type InstanceRecord = z.infer<typeof instanceRecord>;
export type VolumeRecord = z.infer<typeof volumeRecord>;
export type SshKeyRecord = z.infer<typeof sshKeyRecord>;
export type MarketRecord = z.infer<typeof marketRecord>;
export type EmulatorState = z.infer<typeof emulatorState>;

/** The envelope written to disk: a marker and a version first, so foreign files are refused. */
export const stateFile = z.object({
  format: z.literal(STATE_FORMAT),
  version: z.literal(STATE_VERSION),
  state: emulatorState,
});

/**
 * The record stored under a user-supplied id, own properties only: `__proto__`, `constructor` or
 * `toString` name nothing, so they can never reach or change Object.prototype.
 */
export function ownRecord<T>(records: Record<string, T>, id: string): T | undefined {
  return Object.hasOwn(records, id) ? records[id] : undefined;
}

export function isLiveBid(bid: BidRecord): boolean {
  return !FINAL_BID_STATUSES.includes(bid.status);
}
