// Records as the live Mithril OpenAPI describes them (BidModel, InstanceModel, VolumeModel, ...):
// nested launch_specification, capitalised statuses, STATUS_* instance statuses, Block/File.
import { BUILTIN_INSTANCE_TYPES } from "../../../fcp-api/builtin-catalog";
import { formatPrice } from "../../../fcp-api/price";
import { parseSshDestination } from "../../../fcp-api/schemas/instance";
import { FINAL_BID_STATUSES, type BidRecord, type EmulatorState, type InstanceRecord, type SshKeyRecord, type VolumeRecord } from "../../state";
import { availabilityView, iso } from "../../views";
import { findPool, freeCapacity } from "../../market";
import type { BID_STATUS_FILTERS, INSTANCE_STATUSES } from "./requests";

export type MithrilBidStatus = (typeof BID_STATUS_FILTERS)[number];
export type MithrilInstanceStatus = (typeof INSTANCE_STATUSES)[number];

/** The emulator's bid statuses in the live service's five buckets. */
export function mithrilBidStatus(b: BidRecord): MithrilBidStatus {
  if (FINAL_BID_STATUSES.includes(b.status)) return "Terminated";
  if (b.status === "paused") return "Paused";
  if (b.status === "pending") return "Open";
  return "Allocated";
}

export function mithrilInstanceStatus(i: InstanceRecord): MithrilInstanceStatus {
  if (i.status === "running") return "STATUS_RUNNING";
  if (i.status === "pending") return "STATUS_STARTING";
  return "STATUS_TERMINATED";
}

/** `Block`/`File` on the wire, `block`/`file` in the store. */
export function mithrilDiskInterface(v: VolumeRecord): "Block" | "File" {
  return v.interface === "block" ? "Block" : "File";
}

/** The organisation every emulator user belongs to (the live service has organisations; the seed has none). */
export function organizationIdFor(state: EmulatorState): string {
  return `org_${state.user.fid.replace(/^user_/, "")}`;
}

export function meView(state: EmulatorState) {
  return {
    id: state.user.fid,
    fid: state.user.fid,
    email: state.user.email,
    user_name: state.user.username,
    organization_id: organizationIdFor(state),
    organization_role: "admin",
  };
}

export function projectView(p: EmulatorState["projects"][string]) {
  return { fid: p.fid, name: p.name, created_at: iso(p.createdAt) };
}

/** InstanceTypeModel: the seed's fields plus the counts and the price the live catalog adds. */
export function instanceTypesView(state: EmulatorState) {
  return BUILTIN_INSTANCE_TYPES.map((t) => {
    const prices = state.market.filter((m) => m.instanceType === t.fid).map((m) => m.priceCents);
    return {
      ...t,
      network_type: null,
      ib_count: 0,
      bridge_count: 0,
      hourly_price: prices.length > 0 ? Math.min(...prices) / 100 : 0,
    };
  });
}

/** AuctionModel with the live fields the seed does not have. */
export function auctionsView(state: EmulatorState) {
  const lowestAllocated = new Map<string, number>();
  for (const b of Object.values(state.bids)) {
    if (b.allocatedAt === null || FINAL_BID_STATUSES.includes(b.status)) continue;
    const key = `${b.instanceType}/${b.region}`;
    lowestAllocated.set(key, Math.min(lowestAllocated.get(key) ?? Infinity, b.limitCents));
  }
  return availabilityView(state).map((a) => {
    const lowest = lowestAllocated.get(`${a.instance_type}/${a.region}`);
    return { ...a, lowest_allocated_price: lowest === undefined ? null : formatPrice(lowest), adjustable_memory: false, default_image_version: null };
  });
}

/**
 * CurrentPricesResponse for one pool: the clearing price, the lowest live allocated limit and
 * the capacity. flow-compute's SDK prices every task from this endpoint before it bids.
 */
export function currentPricesView(state: EmulatorState, instanceType: string, region: string) {
  const pool = findPool(state, instanceType, region);
  if (!pool) return undefined;
  const allocated = Object.values(state.bids).filter((b) => b.allocatedAt !== null && !FINAL_BID_STATUSES.includes(b.status) && b.instanceType === instanceType && b.region === region);
  return {
    spot_price_cents: pool.priceCents,
    reserved_price_cents: null,
    minimum_price_cents: pool.priceCents,
    lowest_allocated_bid_cents: allocated.length > 0 ? Math.min(...allocated.map((b) => b.limitCents)) : null,
    dynamic_win_price_cents: pool.priceCents,
    available_capacity: freeCapacity(state, pool),
    total_capacity: pool.capacity,
  };
}

export function bidView(b: BidRecord) {
  return {
    fid: b.fid,
    // The live service requires a name; bids made in the seed dialect may have none.
    name: b.name ?? b.fid,
    project: b.project,
    created_by: b.createdBy,
    created_at: iso(b.createdAt),
    deactivated_at: FINAL_BID_STATUSES.includes(b.status) ? iso(b.updatedAt) : null,
    limit_price: formatPrice(b.limitCents),
    instance_quantity: b.quantity,
    instance_type: b.instanceType,
    region: b.region,
    instances: [...b.instances],
    launch_specification: { volumes: [...b.volumes], ssh_keys: [...b.sshKeys], startup_script: b.startupScript },
    status: mithrilBidStatus(b),
  };
}

export function instanceView(i: InstanceRecord, state: EmulatorState) {
  const reachable = i.status === "running" && !i.sshDestination.endsWith(":0");
  const bid = state.bids[i.bid];
  const index = bid ? bid.instances.indexOf(i.fid) : -1;
  return {
    fid: i.fid,
    name: `${bid?.name ?? i.bid}-${index >= 0 ? index : 0}`,
    project: i.project,
    created_at: iso(i.createdAt),
    created_by: bid?.createdBy ?? state.user.fid,
    instance_type: i.instanceType,
    region: i.region,
    bid: i.bid,
    reservation: null,
    ssh_destination: reachable ? (parseSshDestination(i.sshDestination) ? i.sshDestination : null) : null,
    private_ip: i.privateIp,
    status: mithrilInstanceStatus(i),
  };
}

export function volumeView(v: VolumeRecord, bids: readonly string[]) {
  return {
    fid: v.fid,
    name: v.name,
    region: v.region,
    created_at: iso(v.createdAt),
    deleted_at: null,
    capacity_gb: v.sizeGb,
    project: v.project,
    interface: mithrilDiskInterface(v),
    bids: [...bids],
    reservations: [],
    attachments: {},
  };
}

export function sshKeyView(k: SshKeyRecord) {
  return { fid: k.fid, name: k.name, project: k.project, public_key: k.publicKey, created_at: iso(k.createdAt), required: k.required ?? false };
}

