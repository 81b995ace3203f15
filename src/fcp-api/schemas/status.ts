// One status vocabulary, whatever the server spells: the seed's lowercase words, the live
// service's `Open`/`Preempting`/`Paused`, and instance statuses like `STATUS_RUNNING`.
import { z } from "zod";

export const BID_STATUSES = [
  "pending",
  "provisioning",
  "allocated",
  "running",
  "preempting",
  "paused",
  "completed",
  "failed",
  "cancelled",
  "terminating",
  "terminated",
  "deactivated",
] as const;
export type BidStatus = (typeof BID_STATUSES)[number];

/** Statuses after which a bid will never hold instances again. */
export const TERMINAL_BID_STATUSES: readonly BidStatus[] = ["completed", "failed", "cancelled", "terminated", "deactivated"];

const BID_ALIASES: Record<string, BidStatus> = {
  open: "pending",
  replaced: "terminated",
  canceled: "cancelled",
};

export function normaliseBidStatus(raw: string): BidStatus {
  const s = raw.trim().replace(/^STATUS_/i, "").toLowerCase();
  if ((BID_STATUSES as readonly string[]).includes(s)) return s as BidStatus;
  return BID_ALIASES[s] ?? "pending";
}

export const INSTANCE_STATUSES = [
  "pending",
  "provisioning",
  "starting",
  "running",
  "preempting",
  "stopping",
  "stopped",
  "terminating",
  "terminated",
  "preempted",
  "failed",
  "unknown",
] as const;
export type InstanceStatus = (typeof INSTANCE_STATUSES)[number];

export function normaliseInstanceStatus(raw: string): InstanceStatus {
  const s = raw.trim().replace(/^STATUS_/i, "").toLowerCase();
  if ((INSTANCE_STATUSES as readonly string[]).includes(s)) return s as InstanceStatus;
  if (s === "new" || s === "scheduled" || s === "initializing") return "pending";
  if (s === "cancelled" || s === "deleted" || s === "relocated") return "terminated";
  return "unknown";
}

export const bidStatusWire = z.string().transform(normaliseBidStatus);
export const instanceStatusWire = z.string().transform(normaliseInstanceStatus);
