// 200 clients at once: no lost update, no capacity handed out twice, with and without a state file.
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../../src/emulator";
import { A100, bidBody, call } from "./helpers";

const CLIENTS = 200;
const CAPACITY = 50;

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "fcp-emu-conc-"));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

type State = Awaited<ReturnType<RunningEmulator["admin"]["state"]>>;

/** What must hold whatever the interleaving: capacity respected, instances match holders. */
function checkInvariants(state: State): void {
  for (const pool of state.market) {
    const holders = state.bids.filter(
      (b) => b.instance_type === pool.instance_type && b.region === pool.region && b.instances.length > 0,
    );
    const held = holders.reduce((sum, b) => sum + b.instance_quantity, 0);
    expect(held).toBeLessThanOrEqual(pool.capacity);
    expect(pool.held).toBe(held);
  }
  const live = state.instances.filter((i) => i.status !== "terminated");
  for (const bid of state.bids) {
    const mine = live.filter((i) => i.bid === bid.fid).map((i) => i.fid).sort();
    expect(mine).toEqual([...bid.instances].sort());
    if (bid.instances.length > 0) {
      expect(bid.instances).toHaveLength(bid.instance_quantity);
      expect(["provisioning", "allocated", "running"]).toContain(bid.status);
    }
  }
}

describe.each([
  ["in memory", false],
  ["with a state file", true],
])("200 concurrent clients, %s", (_label, persistent) => {
  let emu: RunningEmulator;
  const statePath = () => path.join(dir, `conc-${persistent}.json`);

  beforeAll(async () => {
    emu = await startEmulator({ seed: 5, provisionSeconds: 0, instances: "none", statePath: persistent ? statePath() : undefined });
    await emu.admin.setMarket({ instance_type: A100, region: "us-central1-a", price: "$2.00", capacity: CAPACITY });
  });
  afterAll(() => emu.close());

  it("creates, patches and cancels without losing an update or over-allocating", async () => {
    // Every client creates one bid at once; limits spread so priority matters.
    const created = await Promise.all(
      Array.from({ length: CLIENTS }, (_, i) => call(emu, "POST", "/v2/spot/bids", bidBody(emu, { name: `c-${i}`, limit_price: `$${(2 + (i % 10) / 10).toFixed(2)}` }))),
    );
    expect(created.map((r) => r.status)).toEqual(Array(CLIENTS).fill(201));
    const fids = created.map((r) => r.body.fid as string);
    expect(new Set(fids).size).toBe(CLIENTS);
    let state = await emu.admin.state();
    expect(state.bids).toHaveLength(CLIENTS);
    expect(state.bids.filter((b) => b.instances.length > 0)).toHaveLength(CAPACITY);
    checkInvariants(state);

    // Then each client changes its own bid at once: a third cancel, a third re-price, a third pause.
    const expected = new Map<string, { status?: string; limit?: string; paused?: boolean }>();
    const changes = await Promise.all(
      fids.map((fid, i) => {
        if (i % 3 === 0) {
          expected.set(fid, { status: "cancelled" });
          return call(emu, "DELETE", `/v2/spot/bids/${fid}`);
        }
        if (i % 3 === 1) {
          const limit = `$${(3 + i / 100).toFixed(2)}`;
          expected.set(fid, { limit });
          return call(emu, "PATCH", `/v2/spot/bids/${fid}`, { limit_price: limit });
        }
        expected.set(fid, { paused: true, status: "paused" });
        return call(emu, "PATCH", `/v2/spot/bids/${fid}`, { paused: true });
      }),
    );
    expect(changes.every((r) => r.status === 200 || r.status === 204)).toBe(true);

    state = await emu.admin.state();
    for (const bid of state.bids) {
      const want = expected.get(bid.fid)!;
      if (want.status) expect(bid.status).toBe(want.status);
      if (want.limit) expect(bid.limit_price).toBe(want.limit);
      if (want.paused) expect(bid.paused).toBe(true);
    }
    checkInvariants(state);
    // The re-priced third (67 bids at $3+) now outbids everyone for the 50 places.
    const holders = state.bids.filter((b) => b.instances.length > 0);
    expect(holders).toHaveLength(CAPACITY);
    expect(holders.every((b) => expected.get(b.fid)?.limit !== undefined)).toBe(true);

    // 200 racing price changes on the market and bids together still never over-allocate.
    await Promise.all([
      ...Array.from({ length: 20 }, (_, i) =>
        call(emu, "POST", "/_emulator/market", { instance_type: A100, region: "us-central1-a", price: `$${(2 + i / 10).toFixed(2)}`, capacity: 20 + i }, { key: null }),
      ),
      ...fids.slice(0, 180).map((fid, i) => call(emu, "PATCH", `/v2/spot/bids/${fid}`, i % 2 ? { paused: false } : { limit_price: "$4.00" })),
    ]);
    checkInvariants(await emu.admin.state());

    if (persistent) {
      const live = await emu.admin.state();
      await emu.close();
      emu = await startEmulator({ statePath: statePath(), provisionSeconds: 0, instances: "none" });
      const reloaded = await emu.admin.state();
      expect(reloaded.bids).toEqual(live.bids);
      expect(reloaded.market).toEqual(live.market);
    }
  });
});
