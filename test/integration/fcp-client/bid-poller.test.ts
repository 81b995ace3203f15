// One poller per client: many concurrent waits cost one bid listing (and one instance listing)
// per round, counted by the emulator over HTTP; failures and unknown bids wake their waiters.
import { startEmulator, type RunningEmulator } from "../../../src/emulator";
import { FcpClient } from "../../../src/fcp-client/client";
import { BidNotFoundError } from "../../../src/fcp-api/errors";

jest.setTimeout(120_000);

let emu: RunningEmulator;
let client: FcpClient;

beforeAll(async () => {
  // Provisioning takes an emulator hour: nothing runs until the test advances the clock.
  emu = await startEmulator({ seed: 11, provisionSeconds: 3600, instances: "none" });
});
afterAll(async () => {
  await emu.close();
});
beforeEach(async () => {
  await emu.admin.reset();
  await emu.admin.setMarket({ instance_type: "it_MsIRhxj3ccyVWGfP", region: "us-central1-a", price: "$2.40", capacity: 200 });
  client = new FcpClient({ apiKey: emu.apiKey, apiUrl: emu.url, project: "my-project", region: "us-central1-a", env: {}, homeDir: "/nonexistent", pollIntervalMs: 50 });
});
afterEach(async () => {
  await client.close();
});

/** Resolves once n waits are registered and a round ran; each check is one event-loop turn, not a sleep. */
async function waitersReach(n: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const stats = await client.bidPollerStats();
    if (stats.rounds >= 1 && stats.waiting >= n) return;
    if (Date.now() > deadline) throw new Error(`never saw ${n} waiters`);
    await new Promise((r) => setImmediate(r));
  }
}

test("40 concurrent waits share each round: one bid listing and at most one instance listing per round", async () => {
  const bids = [];
  for (let i = 0; i < 40; i++) bids.push(await client.createBid({ name: `poll-${i}`, instanceType: "a100", limitPrice: "$5.00" }));
  emu.admin.clearRequests();
  const waits = bids.map((b) =>
    client.waitForBid(b.fid, { deadlineMs: 90_000, until: ({ bid, instances }) => bid.status === "running" && instances.length === 1 }),
  );
  await waitersReach(40);
  await emu.admin.advanceClock(3600_000 + 1000);
  const results = await Promise.all(waits);
  expect(results.every((r) => r.done && r.snapshot?.bid.status === "running")).toBe(true);
  const stats = await client.bidPollerStats();
  const counts = emu.admin.requests().counts;
  const bidListings = counts["GET /v2/spot/bids"] ?? 0;
  const instanceListings = counts["GET /v2/instances"] ?? 0;
  // Every listing is one page (the poller asks for the largest page), one per round.
  expect(bidListings).toBe(stats.bidListings);
  expect(instanceListings).toBe(stats.instanceListings);
  expect(bidListings).toBeLessThanOrEqual(stats.rounds);
  expect(instanceListings).toBeLessThanOrEqual(stats.rounds);
  expect((bidListings + instanceListings) / stats.rounds).toBeLessThanOrEqual(2);
  // The naive way, one bid and one instance listing per waiting bid per round, would be 80 a round.
  expect(emu.admin.requests().total).toBeLessThan(stats.rounds * 3);
});

test("a bid cancelled elsewhere wakes its waiter with the cancelled bid; an unknown bid is BidNotFoundError", async () => {
  const bid = await client.createBid({ name: "poll-cancel", instanceType: "a100", limitPrice: "$5.00" });
  const wait = client.waitForBid(bid.fid, { deadlineMs: 90_000, until: ({ bid: b }) => b.status === "running" || b.status === "cancelled" });
  const other = new FcpClient({ apiKey: emu.apiKey, apiUrl: emu.url, project: "my-project", env: {}, homeDir: "/nonexistent" });
  await other.cancelBid(bid.fid);
  await other.close();
  const result = await wait;
  expect(result.done).toBe(true);
  expect(result.snapshot?.bid.status).toBe("cancelled");
  await expect(client.waitForBid("bid_DoesNotExist0000", { deadlineMs: 30_000, until: () => true })).rejects.toThrow(BidNotFoundError);
});

test("a wait that does not reach its target resolves at its deadline with the last snapshot", async () => {
  const bid = await client.createBid({ name: "poll-deadline", instanceType: "a100", limitPrice: "$5.00" });
  const result = await client.waitForBid(bid.fid, { deadlineMs: 300, until: ({ bid: b }) => b.status === "running" });
  expect(result.done).toBe(false);
  expect(result.snapshot?.bid.fid).toBe(bid.fid);
});

test("rounds poll through a 429 with Retry-After and through 500s", async () => {
  const bid = await client.createBid({ name: "poll-faults", instanceType: "a100", limitPrice: "$5.00" });
  emu.admin.setFaults({ rateLimit: { count: 2, routes: ["GET /v2/spot/bids"], retryAfterSeconds: 0 }, errors: { count: 2, statuses: [500], routes: ["GET /v2/spot/bids"] } });
  const wait = client.waitForBid(bid.fid, { deadlineMs: 90_000, until: ({ bid: b }) => b.status === "running" });
  await waitersReach(1);
  await emu.admin.advanceClock(3600_000 + 1000);
  const result = await wait;
  expect(result.done).toBe(true);
  expect(emu.admin.requests().responses["GET /v2/spot/bids 429"]).toBe(2);
});

// Regression: the Pulumi CLI hands the plugin its creates one by one, and each new wait used to
// start a round of its own: 256 bids under the real CLI cost 135 bid and 135 instance listings
// while they were being placed, about one of each per bid.
test("waits that arrive one by one join the next round: rounds start at least one interval apart", async () => {
  const interval = 200;
  const spread = new FcpClient({ apiKey: emu.apiKey, apiUrl: emu.url, project: "my-project", region: "us-central1-a", env: {}, homeDir: "/nonexistent", pollIntervalMs: interval });
  try {
    const bids = [];
    for (let i = 0; i < 30; i++) bids.push(await spread.createBid({ name: `arrive-${i}`, instanceType: "a100", limitPrice: "$5.00" }));
    emu.admin.clearRequests();
    const started = performance.now();
    const waits = [];
    for (const b of bids) {
      waits.push(spread.waitForBid(b.fid, { deadlineMs: 90_000, until: ({ bid }) => bid.status === "running" }));
      // Shapes the arrivals (one wait every 20 ms, as the CLI's creates come); nothing waits on it.
      await new Promise((r) => setTimeout(r, 20));
    }
    await emu.admin.advanceClock(3600_000 + 1000);
    const results = await Promise.all(waits);
    const elapsed = performance.now() - started;
    expect(results.every((r) => r.done)).toBe(true);
    const counts = emu.admin.requests().counts;
    // However late timers fire on a loaded machine, rounds that start an interval apart fit this
    // bound; a round per arrival (30 in 600 ms or more) does not.
    const bound = Math.floor(elapsed / interval) + 1;
    expect(counts["GET /v2/spot/bids"] ?? 0).toBeLessThanOrEqual(bound);
    expect(counts["GET /v2/instances"] ?? 0).toBeLessThanOrEqual(bound);
    expect((await spread.bidPollerStats()).rounds).toBeLessThanOrEqual(bound);
  } finally {
    await spread.close();
  }
});
