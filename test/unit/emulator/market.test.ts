import { fidFor } from "../../../src/emulator/ids";
import { advanceTimelines, freeCapacity, settleMarket, type MarketContext } from "../../../src/emulator/market";
import { initialState } from "../../../src/emulator/initial-state";
import type { BidRecord, EmulatorState } from "../../../src/emulator/state";

const A100 = "it_MsIRhxj3ccyVWGfP";
const REGION = "us-central1-a";
const T0 = Date.UTC(2025, 0, 1);

function world(price = 200, capacity = 4): EmulatorState {
  const state = initialState(7, T0);
  const pool = state.market.find((m) => m.instanceType === A100 && m.region === REGION)!;
  pool.priceCents = price;
  pool.capacity = capacity;
  return state;
}

function ctx(state: EmulatorState, now: number, provisionMs = 2000): MarketContext {
  return {
    now,
    provisionMs,
    sshEndpoint: ({ seq }) => `127.0.0.1:${30000 + seq}`,
    newFid(kind) {
      state.seq += 1;
      return { fid: fidFor(kind, state.seed, String(state.seq)), seq: state.seq };
    },
  };
}

function addBid(state: EmulatorState, limitCents: number, quantity = 1, extra: Partial<BidRecord> = {}): BidRecord {
  state.seq += 1;
  const fid = fidFor("bid", state.seed, String(state.seq));
  const bid: BidRecord = {
    seq: state.seq,
    fid,
    name: null,
    project: Object.keys(state.projects)[0],
    createdBy: state.user.fid,
    region: REGION,
    instanceType: A100,
    quantity,
    limitCents,
    sshKeys: [],
    startupScript: "",
    volumes: [],
    status: "pending",
    paused: false,
    allocatedAt: null,
    instances: [],
    createdAt: T0,
    updatedAt: T0,
    ...extra,
  };
  state.bids[fid] = bid;
  return bid;
}

function pool(state: EmulatorState) {
  return state.market.find((m) => m.instanceType === A100 && m.region === REGION)!;
}

function liveInstances(state: EmulatorState, bid: BidRecord) {
  return Object.values(state.instances).filter((i) => i.bid === bid.fid && i.status !== "terminated");
}

describe("settleMarket", () => {
  it("allocates a bid whose limit covers the price, with one instance per unit of quantity", () => {
    const state = world(200, 4);
    const bid = addBid(state, 250, 3);
    expect(settleMarket(state, ctx(state, T0))).toBe(true);
    expect(bid.status).toBe("provisioning");
    expect(liveInstances(state, bid)).toHaveLength(3);
    expect(freeCapacity(state, pool(state))).toBe(1);
  });

  it("leaves a bid below the price pending and holding nothing", () => {
    const state = world(200, 4);
    const bid = addBid(state, 199);
    expect(settleMarket(state, ctx(state, T0))).toBe(false);
    expect(bid.status).toBe("pending");
    expect(Object.keys(state.instances)).toHaveLength(0);
  });

  it("is all or nothing: a bid larger than the free capacity gets no instance at all", () => {
    const state = world(200, 4);
    addBid(state, 300, 3);
    const big = addBid(state, 300, 2);
    settleMarket(state, ctx(state, T0));
    expect(big.status).toBe("pending");
    expect(liveInstances(state, big)).toHaveLength(0);
  });

  it("serves higher limits first, then older bids", () => {
    const state = world(200, 2);
    const oldLow = addBid(state, 210);
    const newHigh = addBid(state, 500);
    const oldMid = addBid(state, 300);
    const newMid = addBid(state, 300);
    settleMarket(state, ctx(state, T0));
    expect([newHigh.status, oldMid.status]).toEqual(["provisioning", "provisioning"]);
    expect([oldLow.status, newMid.status]).toEqual(["pending", "pending"]);
  });

  it("preempts bids when the price rises above their limit, and reallocates when it falls", () => {
    const state = world(200, 4);
    const bid = addBid(state, 250, 2);
    settleMarket(state, ctx(state, T0));
    const first = [...bid.instances];
    pool(state).priceCents = 300;
    expect(settleMarket(state, ctx(state, T0 + 1000))).toBe(true);
    expect(bid.status).toBe("pending");
    expect(bid.instances).toEqual([]);
    for (const fid of first) {
      expect(state.instances[fid]).toMatchObject({ status: "terminated", terminatedAt: T0 + 1000 });
    }
    pool(state).priceCents = 240;
    settleMarket(state, ctx(state, T0 + 2000));
    expect(bid.status).toBe("provisioning");
    expect(bid.instances).toHaveLength(2);
    expect(bid.instances.some((f) => first.includes(f))).toBe(false);
  });

  it("releases the lowest-priority holders when capacity shrinks", () => {
    const state = world(200, 4);
    const high = addBid(state, 400, 2);
    const low = addBid(state, 250, 2);
    settleMarket(state, ctx(state, T0));
    pool(state).capacity = 3;
    settleMarket(state, ctx(state, T0 + 1));
    expect(high.instances).toHaveLength(2);
    expect(low.status).toBe("pending");
    expect(low.instances).toHaveLength(0);
  });

  it("gives a paused bid no instances, and takes them from a bid paused while holding", () => {
    const state = world(200, 4);
    const paused = addBid(state, 300, 1, { paused: true, status: "paused" });
    const holding = addBid(state, 300, 1);
    settleMarket(state, ctx(state, T0));
    expect(paused.instances).toHaveLength(0);
    holding.paused = true;
    settleMarket(state, ctx(state, T0 + 5));
    expect(holding.status).toBe("paused");
    expect(liveInstances(state, holding)).toHaveLength(0);
  });

  it("never lets live holders exceed a pool's capacity", () => {
    const state = world(100, 10);
    for (let i = 0; i < 40; i++) addBid(state, 100 + ((i * 37) % 200), 1 + (i % 4));
    settleMarket(state, ctx(state, T0));
    const held = Object.values(state.bids)
      .filter((b) => b.allocatedAt !== null)
      .reduce((sum, b) => sum + b.quantity, 0);
    expect(held).toBeLessThanOrEqual(10);
    expect(held).toBeGreaterThanOrEqual(7);
  });
});

describe("advanceTimelines", () => {
  it("moves provisioning → allocated half way → running at the end, dated when each happened", () => {
    const state = world(200, 4);
    const bid = addBid(state, 300);
    settleMarket(state, ctx(state, T0));
    const instance = state.instances[bid.instances[0]];
    advanceTimelines(state, T0 + 999, 2000);
    expect([bid.status, instance.status]).toEqual(["provisioning", "pending"]);
    advanceTimelines(state, T0 + 1000, 2000);
    expect([bid.status, instance.status, bid.updatedAt]).toEqual(["allocated", "running", T0 + 1000]);
    advanceTimelines(state, T0 + 60_000, 2000);
    expect([bid.status, bid.updatedAt]).toEqual(["running", T0 + 2000]);
  });

  it("never moves a bid backwards", () => {
    const state = world(200, 4);
    const bid = addBid(state, 300);
    settleMarket(state, ctx(state, T0));
    advanceTimelines(state, T0 + 5000, 2000);
    advanceTimelines(state, T0 + 10, 2000);
    expect(bid.status).toBe("running");
  });

  it("with no provisioning time, runs at once", () => {
    const state = world(200, 4);
    const bid = addBid(state, 300);
    settleMarket(state, ctx(state, T0, 0));
    advanceTimelines(state, T0, 0);
    expect(bid.status).toBe("running");
  });
});
