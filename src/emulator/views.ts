// Records as the API shows them: the seed's field names, "$X.XX" prices, ISO timestamps.
import { formatPrice } from "../fcp-api/price";
import { parseSshDestination } from "../fcp-api/schemas/instance";
import { freeCapacity, heldByPool } from "./market";
import {
  isLiveBid,
  type BidRecord,
  type EmulatorState,
  type InstanceRecord,
  type MarketRecord,
  type ProjectRecord,
  type SshKeyRecord,
  type VolumeRecord,
} from "./state";

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function projectView(p: ProjectRecord) {
  return { fid: p.fid, name: p.name, created_at: iso(p.createdAt) };
}

export function bidView(b: BidRecord) {
  return {
    fid: b.fid,
    name: b.name,
    project: b.project,
    created_by: b.createdBy,
    region: b.region,
    instance_type: b.instanceType,
    instance_quantity: b.quantity,
    limit_price: formatPrice(b.limitCents),
    status: b.status,
    paused: b.paused,
    ssh_keys: [...b.sshKeys],
    startup_script: b.startupScript,
    volumes: [...b.volumes],
    instances: [...b.instances],
    created_at: iso(b.createdAt),
    updated_at: iso(b.updatedAt),
  };
}

export function instanceView(i: InstanceRecord) {
  // ":0" until the instance's SSH server has its port (a moment after allocation).
  const reachable = i.status === "running" && !i.sshDestination.endsWith(":0");
  return {
    fid: i.fid,
    bid: i.bid,
    project: i.project,
    instance_type: i.instanceType,
    region: i.region,
    status: i.status,
    ssh_destination: reachable ? i.sshDestination : null,
    // Deprecated in the seed, kept for old clients: the host part of ssh_destination.
    public_ip: reachable ? (parseSshDestination(i.sshDestination)?.host ?? null) : null,
    private_ip: i.privateIp,
    created_at: iso(i.createdAt),
    terminated_at: i.terminatedAt === null ? null : iso(i.terminatedAt),
  };
}

/** Live bids that list a volume: the volume is attached to them. */
export function volumeAttachments(state: EmulatorState): Map<string, string[]> {
  const attached = new Map<string, string[]>();
  for (const bid of Object.values(state.bids)) {
    if (!isLiveBid(bid)) continue;
    for (const vol of bid.volumes) attached.set(vol, [...(attached.get(vol) ?? []), bid.fid]);
  }
  return attached;
}

export function volumeView(v: VolumeRecord, attachedTo: readonly string[]) {
  return {
    fid: v.fid,
    name: v.name,
    project: v.project,
    region: v.region,
    capacity_gb: v.sizeGb,
    interface: v.interface,
    status: attachedTo.length > 0 ? "attached" : "available",
    attached_to: [...attachedTo],
    created_at: iso(v.createdAt),
    updated_at: iso(v.updatedAt),
  };
}

export function sshKeyView(k: SshKeyRecord) {
  return { fid: k.fid, name: k.name, project: k.project, public_key: k.publicKey, created_at: iso(k.createdAt) };
}

/** AuctionModel: `capacity` is what is free now, not the pool's size. */
export function auctionView(m: MarketRecord, free: number) {
  return {
    fid: m.auctionFid,
    instance_type: m.instanceType,
    region: m.region,
    capacity: free,
    last_instance_price: formatPrice(m.priceCents),
  };
}

export function availabilityView(state: EmulatorState) {
  const held = heldByPool(state);
  return state.market.map((m) => auctionView(m, freeCapacity(state, m, held)));
}
