// The spot market over HTTP, driven by the admin API and an advanced clock.
import type { RunningEmulator } from "../../../src/emulator";
import { A100, H100_8X, bidBody, call, listAll, startTest } from "./helpers";

let emu: RunningEmulator;
beforeEach(async () => {
  // Real time stands still: only the test moves the clock, so a loaded machine cannot finish a
  // provisioning the test expects to be under way.
  const frozen = Date.now();
  emu = await startTest({ provisionSeconds: 120, now: () => frozen });
});
afterEach(() => emu.close());

async function bids() {
  return listAll(emu, "/v2/spot/bids");
}
async function statusOf(fid: string): Promise<string> {
  return (await bids()).find((b) => b.fid === fid).status;
}
async function liveInstances(bid: string) {
  return (await listAll(emu, "/v2/instances", `bid=${bid}`)).filter((i) => i.status !== "terminated");
}
async function create(overrides: Record<string, unknown>) {
  const reply = await call(emu, "POST", "/v2/spot/bids", bidBody(emu, overrides));
  expect(reply.status).toBe(201);
  return reply.body;
}
async function market(update: Record<string, unknown> | Record<string, unknown>[]) {
  const reply = await call(emu, "POST", "/_emulator/market", update, { key: null });
  expect(reply.status).toBe(200);
  return reply.body.market;
}

describe("the bid lifecycle", () => {
  it("goes pending → provisioning → allocated → running with the clock, each change dated", async () => {
    await market({ instance_type: A100, region: "us-central1-a", capacity: 0 });
    const bid = await create({ name: "life" });
    expect(bid.status).toBe("pending");
    await market({ instance_type: "a100", region: "us-central1-a", capacity: 4 });
    expect(await statusOf(bid.fid)).toBe("provisioning");
    const [instance] = await liveInstances(bid.fid);
    expect(instance).toMatchObject({ status: "pending", ssh_destination: null, private_ip: expect.stringMatching(/^10\./) });

    await call(emu, "POST", "/_emulator/clock/advance", { seconds: 59 }, { key: null });
    expect(await statusOf(bid.fid)).toBe("provisioning");
    await call(emu, "POST", "/_emulator/clock/advance", { seconds: 1 }, { key: null });
    expect(await statusOf(bid.fid)).toBe("allocated");
    expect((await liveInstances(bid.fid))[0]).toMatchObject({ status: "running", ssh_destination: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
    emu.clock.advance(60_000);
    const running = (await bids()).find((b) => b.fid === bid.fid);
    expect(running.status).toBe("running");
    expect(Date.parse(running.updated_at) - Date.parse(instance.created_at)).toBe(120_000);
  });

  it("allocates all or nothing: a bid larger than the free capacity waits whole", async () => {
    await market({ instance_type: H100_8X, region: "us-central1-b", capacity: 5 });
    const three = await create({ name: "three", instance_type: H100_8X, region: "us-central1-b", limit_price: "$30.00", instance_quantity: 3 });
    const four = await create({ name: "four", instance_type: H100_8X, region: "us-central1-b", limit_price: "$30.00", instance_quantity: 4 });
    expect(three.status).toBe("provisioning");
    expect(four.status).toBe("pending");
    expect(await liveInstances(four.fid)).toEqual([]);
    const availability = (await call(emu, "GET", `/v2/spot/availability?instance_type=${H100_8X}&region=us-central1-b`)).body;
    expect(availability).toEqual([expect.objectContaining({ capacity: 2, last_instance_price: "$24.00" })]);
    await call(emu, "DELETE", `/v2/spot/bids/${three.fid}`);
    expect(await statusOf(four.fid)).toBe("provisioning");
    expect(await liveInstances(four.fid)).toHaveLength(4);
  });

  it("preempts when the price rises above the limit, and the bid waits again until it falls", async () => {
    const bid = await create({ name: "pre", limit_price: "$2.50" });
    expect(bid.status).toBe("provisioning");
    emu.clock.advance(200_000);
    const first = await liveInstances(bid.fid);
    expect(first).toHaveLength(1);
    const [pool] = await market({ instance_type: A100, region: "us-central1-a", price: "$2.75" });
    expect(pool).toMatchObject({ price: "$2.75", capacity: 32, held: 0, available: 32 });
    expect(await statusOf(bid.fid)).toBe("pending");
    const all = await listAll(emu, "/v2/instances", `bid=${bid.fid}`);
    expect(all).toEqual([expect.objectContaining({ fid: first[0].fid, status: "terminated", terminated_at: expect.any(String) })]);
    await market({ instance_type: A100, region: "us-central1-a", price: 2.5 });
    expect(await statusOf(bid.fid)).toBe("provisioning");
    const again = await liveInstances(bid.fid);
    expect(again).toHaveLength(1);
    expect(again[0].fid).not.toBe(first[0].fid);
  });

  it("serves the highest limit first when capacity frees up", async () => {
    await market({ instance_type: A100, region: "us-central1-a", capacity: 1 });
    const holder = await create({ name: "holder", limit_price: "$2.40" });
    const low = await create({ name: "low", limit_price: "$2.60" });
    const high = await create({ name: "high", limit_price: "$5.00" });
    expect([holder.status, low.status, high.status]).toEqual(["provisioning", "pending", "pending"]);
    await call(emu, "DELETE", `/v2/spot/bids/${holder.fid}`);
    expect(await statusOf(high.fid)).toBe("provisioning");
    expect(await statusOf(low.fid)).toBe("pending");
  });

  it("takes instances from the lowest bids when capacity shrinks", async () => {
    const low = await create({ name: "low", limit_price: "$2.50", instance_quantity: 2 });
    const high = await create({ name: "high", limit_price: "$9.00", instance_quantity: 2 });
    const [pool] = await market({ instance_type: A100, region: "us-central1-a", capacity: 3 });
    expect(pool).toMatchObject({ capacity: 3, held: 2, available: 1 });
    expect(await statusOf(low.fid)).toBe("pending");
    expect(await liveInstances(high.fid)).toHaveLength(2);
  });

  it("gives paused bids no instances", async () => {
    const bid = await create({ name: "pause" });
    const paused = await call(emu, "PATCH", `/v2/spot/bids/${bid.fid}`, { paused: true });
    expect(paused.body).toMatchObject({ status: "paused", paused: true, instances: [] });
    expect(await liveInstances(bid.fid)).toEqual([]);
    await market({ instance_type: A100, region: "us-central1-a", price: "$0.10" });
    expect(await statusOf(bid.fid)).toBe("paused");
  });

  it("opens a pool for a type a region did not offer, after which bids there are accepted", async () => {
    expect((await call(emu, "POST", "/v2/spot/bids", bidBody(emu, { instance_type: H100_8X, region: "eu-central1-a" }))).status).toBe(422);
    const refused = await call(emu, "POST", "/_emulator/market", { instance_type: "8xh100", region: "eu-central1-a", price: "$28.00" }, { key: null });
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toMatch(/give both price and capacity/);
    await market({ instance_type: "8xh100", region: "eu-central1-a", price: "$28.00", capacity: 2 });
    const bid = await create({ instance_type: H100_8X, region: "eu-central1-a", limit_price: "$30.00" });
    expect(bid.status).toBe("provisioning");
  });

  it("ends a bid as the service would, through the admin API", async () => {
    const bid = await create({ name: "done" });
    const ended = await call(emu, "POST", `/_emulator/bids/${bid.fid}/end`, { status: "completed" }, { key: null });
    expect(ended.body).toMatchObject({ status: "completed", instances: [] });
    expect(await liveInstances(bid.fid)).toEqual([]);
    const again = await call(emu, "POST", `/_emulator/bids/${bid.fid}/end`, { status: "failed" }, { key: null });
    expect(again.status).toBe(422);
  });
});

describe("the admin API", () => {
  it("shows everything in GET /_emulator/state", async () => {
    const bid = await create({ name: "seen" });
    const state = (await call(emu, "GET", "/_emulator/state", undefined, { key: null })).body;
    expect(state).toMatchObject({ provision_seconds: 120, seed: 1234, projects: [{ fid: emu.projectFid, name: "my-project" }] });
    expect(state.bids.map((b: { fid: string }) => b.fid)).toEqual([bid.fid]);
    expect(state.instances).toHaveLength(1);
    expect(state.market.find((m: { instance_type: string; region: string }) => m.instance_type === A100 && m.region === "us-central1-a")).toMatchObject({
      instance_type_name: "a100-80gb.sxm.1x",
      price: "$2.40",
      capacity: 32,
      held: 1,
      available: 31,
    });
  });

  it("moves the clock forward and never back", async () => {
    const before = (await call(emu, "GET", "/_emulator/clock", undefined, { key: null })).body;
    const after = (await call(emu, "POST", "/_emulator/clock/advance", { ms: 3_600_000 }, { key: null })).body;
    expect(after.offset_ms).toBe(before.offset_ms + 3_600_000);
    expect(after.now_ms - before.now_ms).toBeGreaterThanOrEqual(3_600_000);
    for (const body of [{ ms: -1 }, { seconds: 1, ms: 1 }, {}, { ms: 1e308 }]) {
      expect((await call(emu, "POST", "/_emulator/clock/advance", body, { key: null })).status).toBe(422);
    }
  });

  it("counts API requests per method and path template", async () => {
    const bid = await create({ name: "count" });
    await call(emu, "DELETE", "/_emulator/requests", undefined, { key: null });
    await call(emu, "PATCH", `/v2/spot/bids/${bid.fid}`, { limit_price: "$3.10" });
    await call(emu, "PATCH", `/v2/spot/bids/${bid.fid}`, { limit_price: 3 });
    await call(emu, "GET", "/v2/spot/bids");
    await call(emu, "GET", "/v2/nope");
    const counts = (await call(emu, "GET", "/_emulator/requests", undefined, { key: null })).body;
    expect(counts).toEqual({
      total: 4,
      counts: { "PATCH /v2/spot/bids/{fid}": 2, "GET /v2/spot/bids": 1, "GET (unmatched)": 1 },
      responses: { "PATCH /v2/spot/bids/{fid} 200": 1, "PATCH /v2/spot/bids/{fid} 422": 1, "GET /v2/spot/bids 200": 1, "GET (unmatched) 404": 1 },
    });
  });

  it("resets to the seeded world without reusing FIDs", async () => {
    const bid = await create({ name: "old" });
    await market({ instance_type: A100, region: "us-central1-a", price: "$9.99" });
    const reset = await call(emu, "POST", "/_emulator/reset", undefined, { key: null });
    expect(reset.status).toBe(200);
    expect(reset.body.bids).toEqual([]);
    expect(reset.body.market.find((m: { instance_type: string; region: string }) => m.instance_type === A100 && m.region === "us-central1-a").price).toBe("$2.40");
    expect(reset.body.projects[0].fid).toBe(emu.projectFid);
    const fresh = await create({ name: "new" });
    expect(fresh.fid).not.toBe(bid.fid);
  });

  it("needs no API key, and is absent when disabled", async () => {
    expect((await call(emu, "GET", "/_emulator/state", undefined, { key: null })).status).toBe(200);
    const closed = await startTest({ admin: false });
    try {
      expect((await call(closed, "GET", "/_emulator/state", undefined, { key: null })).status).toBe(404);
    } finally {
      await closed.close();
    }
  });
});
