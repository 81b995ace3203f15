// The seed's TaskStatus, from what FCP says about the bid and what the nodes' status.json says
// about the script (a bid stays "allocated" while its command runs, succeeds or fails).
import type { BidStatus } from "../fcp-api/schemas/status";
import type { StartupStatus } from "../startup/status";

export const TASK_STATUSES = ["pending", "running", "completed", "failed", "cancelled"] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const TERMINAL_TASK_STATUSES: readonly TaskStatus[] = ["completed", "failed", "cancelled"];

/**
 * The task's status. `nodes` is each node's status.json (undefined while unreadable: not booted
 * yet, or no SSH key here); only consulted once the bid holds instances.
 */
export function taskStatusOf(bid: BidStatus, nodes: ReadonlyArray<StartupStatus | undefined>): TaskStatus {
  switch (bid) {
    case "cancelled":
      return "cancelled";
    case "failed":
      return "failed";
    case "pending":
    case "provisioning":
    case "paused":
      return "pending";
    case "completed":
    case "terminated":
    case "deactivated":
      return nodes.some((n) => n?.status === "failed") ? "failed" : "completed";
    default: {
      // allocated, running, preempting, terminating: the nodes tell.
      if (!nodes.length || nodes.some((n) => n === undefined)) return nodes.some((n) => n !== undefined) ? "running" : "pending";
      if (nodes.some((n) => n!.status === "failed")) return "failed";
      if (nodes.every((n) => n!.status === "succeeded")) return "completed";
      return "running";
    }
  }
}
