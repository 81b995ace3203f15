// The spot market. A pool per (instance type, region) has a clearing price and a capacity. A bid
// gets instances only when its limit covers the price and the pool can hold its whole quantity
// (all or nothing), higher limits first, then older bids. A price above a bid's limit, a pause or
// a shrunken pool takes its instances away and the bid waits again. Everything here is a pure
// function of the state and the time: the same inputs give the same market, so statuses can be
// recomputed after a restart instead of saved on every tick.
import type { FidKind } from "../fcp-api/schemas/common";
import { fidFor } from "./ids";
import { privateIpFor, type SshEndpointAllocator } from "./ssh-endpoints";
import { isLiveBid, type BidRecord, type EmulatorBidStatus, type EmulatorState, type MarketRecord } from "./state";

export interface MarketContext {
  now: number;
  /** Time from allocation to `running`; `allocated` is reached half way. */
  provisionMs: number;
  newFid(kind: FidKind): { fid: string; seq: number };
  sshEndpoint: SshEndpointAllocator;
  /** A new instance's private address; the default is data only (10.x), nothing listens there. */
  privateIpFor?: (state: EmulatorState, seq: number) => string;
}

const TIMELINE: readonly EmulatorBidStatus[] = ["provisioning", "allocated", "running"];

export function poolKey(instanceType: string, region: string): string {
  return `${instanceType}/${region}`;
}

/** A pool's auction FID: the same for a seeded pool and for one the admin API opens later. */
export function auctionFidFor(seed: number, instanceType: string, region: string): string {
  return fidFor("auction", seed, poolKey(instanceType, region));
}

export function findPool(state: EmulatorState, instanceType: string, region: string): MarketRecord | undefined {
  return state.market.find((m) => m.instanceType === instanceType && m.region === region);
}

/** Instances held per pool by live bids. */
export function heldByPool(state: EmulatorState): Map<string, number> {
  const held = new Map<string, number>();
  for (const bid of Object.values(state.bids)) {
    if (bid.allocatedAt === null || !isLiveBid(bid)) continue;
    const key = poolKey(bid.instanceType, bid.region);
    held.set(key, (held.get(key) ?? 0) + bid.quantity);
  }
  return held;
}

export function freeCapacity(state: EmulatorState, pool: MarketRecord, held = heldByPool(state)): number {
  return Math.max(0, pool.capacity - (held.get(poolKey(pool.instanceType, pool.region)) ?? 0));
}

/** Terminates a bid's instances and frees its capacity; the bid keeps its other fields. */
export function releaseBid(state: EmulatorState, bid: BidRecord, now: number): void {
  for (const fid of bid.instances) {
    const instance = state.instances[fid];
    if (instance && instance.status !== "terminated") {
      instance.status = "terminated";
      instance.terminatedAt = now;
    }
  }
  bid.instances = [];
  bid.allocatedAt = null;
}

/** Moves a bid to a final status (cancelled, completed, failed, terminated). */
export function endBid(state: EmulatorState, bid: BidRecord, status: EmulatorBidStatus, now: number): void {
  releaseBid(state, bid, now);
  bid.status = status;
  bid.updatedAt = now;
}

function allocate(state: EmulatorState, bid: BidRecord, ctx: MarketContext): void {
  const fids: string[] = [];
  for (let index = 0; index < bid.quantity; index++) {
    const { fid, seq } = ctx.newFid("instance");
    const privateIp = ctx.privateIpFor ? ctx.privateIpFor(state, seq) : privateIpFor(seq);
    state.instances[fid] = {
      seq,
      fid,
      bid: bid.fid,
      project: bid.project,
      instanceType: bid.instanceType,
      region: bid.region,
      status: "pending",
      sshDestination: ctx.sshEndpoint({ instanceFid: fid, bidFid: bid.fid, index, seq, privateIp }),
      privateIp,
      createdAt: ctx.now,
      terminatedAt: null,
    };
    fids.push(fid);
  }
  bid.instances = fids;
  bid.allocatedAt = ctx.now;
  bid.status = "provisioning";
  bid.updatedAt = ctx.now;
}

/** Lower priority first: lower limit, then newer. */
function byPriorityAscending(a: BidRecord, b: BidRecord): number {
  return a.limitCents - b.limitCents || b.seq - a.seq;
}

/**
 * Settles every pool at `ctx.now`: takes instances from bids that lost their place, then
 * allocates waiting bids in priority order. Returns true when anything changed.
 */
export function settleMarket(state: EmulatorState, ctx: MarketContext): boolean {
  let changed = false;
  // instance type → region → live bids, in creation order.
  const byPool = new Map<string, Map<string, BidRecord[]>>();
  for (const bid of Object.values(state.bids)) {
    if (!isLiveBid(bid)) continue;
    let regions = byPool.get(bid.instanceType);
    if (!regions) byPool.set(bid.instanceType, (regions = new Map()));
    const list = regions.get(bid.region);
    if (list) list.push(bid);
    else regions.set(bid.region, [bid]);
  }

  for (const pool of state.market) {
    const bids = byPool.get(pool.instanceType)?.get(pool.region) ?? [];
    if (bids.length === 0) continue;

    const holders: BidRecord[] = [];
    for (const bid of bids) {
      if (bid.allocatedAt === null) continue;
      if (bid.paused || bid.limitCents < pool.priceCents) {
        releaseBid(state, bid, ctx.now);
        bid.status = bid.paused ? "paused" : "pending";
        bid.updatedAt = ctx.now;
        changed = true;
      } else {
        holders.push(bid);
      }
    }

    let held = holders.reduce((sum, b) => sum + b.quantity, 0);
    if (held > pool.capacity) {
      for (const bid of [...holders].sort(byPriorityAscending)) {
        if (held <= pool.capacity) break;
        releaseBid(state, bid, ctx.now);
        bid.status = "pending";
        bid.updatedAt = ctx.now;
        held -= bid.quantity;
        changed = true;
      }
    }

    const waiting = bids
      .filter((b) => b.allocatedAt === null && !b.paused && b.status === "pending" && b.limitCents >= pool.priceCents)
      .sort((a, b) => byPriorityAscending(b, a));
    for (const bid of waiting) {
      if (bid.quantity > pool.capacity - held) continue;
      allocate(state, bid, ctx);
      held += bid.quantity;
      changed = true;
    }
  }
  return changed;
}

/**
 * Moves allocated bids along provisioning → allocated → running and their instances from
 * pending to running, each change dated when it happened rather than when it was noticed.
 */
export function advanceTimelines(state: EmulatorState, now: number, provisionMs: number): void {
  const halfway = Math.floor(provisionMs / 2);
  for (const bid of Object.values(state.bids)) {
    // Only bids still on their way to running have anything left to do.
    if (bid.allocatedAt === null || (bid.status !== "provisioning" && bid.status !== "allocated")) continue;
    const readyAt = bid.allocatedAt + halfway;
    const runningAt = bid.allocatedAt + provisionMs;
    const target: EmulatorBidStatus = now >= runningAt ? "running" : now >= readyAt ? "allocated" : "provisioning";
    const current = TIMELINE.indexOf(bid.status);
    if (current >= 0 && TIMELINE.indexOf(target) > current) {
      bid.status = target;
      bid.updatedAt = target === "running" ? runningAt : readyAt;
    }
    if (now >= readyAt) {
      for (const fid of bid.instances) {
        const instance = state.instances[fid];
        if (instance && instance.status === "pending") instance.status = "running";
      }
    }
  }
}
