// Waiting for 64 bids costs a few requests per poll round, not a few per bid: a seeded 64-bid `up`
// through LocalEngine and the real plugin, counted by the emulator. Counts, never times.
import * as pulumi from "@pulumi/pulumi";
import { SpotBid } from "../../../src/resources/spot-bid";
import { SshKey } from "../../../src/resources/ssh-key";
import { fcpStack, liveBids, requestCount, type FcpStack } from "../../fixtures/resources/fcp-stack";

jest.setTimeout(600_000);

const BIDS = 64;
const A100 = "it_MsIRhxj3ccyVWGfP";

function program() {
  return async () => {
    const key = new SshKey("ops");
    const bids = Array.from({ length: BIDS }, (_, i) => new SpotBid(`worker-${i}`, {
      instanceType: "a100",
      limitPrice: 5,
      instanceQuantity: 1,
      sshKeyIds: [key.keyId],
      startupScript: "#!/bin/bash\necho hello\n",
    }));
    return { statuses: pulumi.all(bids.map((b) => b.status)) };
  };
}

/** Waits (bounded) for a condition on the emulator's counters; each check is one short timer turn. */
async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 300_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

let s: FcpStack;
beforeAll(async () => {
  // Provisioning takes an emulator hour: the bids wait until the test advances the clock.
  s = await fcpStack({ emulator: { provisionSeconds: 3600, seed: 64, instances: "none" }, engine: { parallel: BIDS + 1 } });
  await s.emulator.admin.setMarket({ instance_type: A100, region: "us-central1-a", price: "$2.40", capacity: BIDS * 2 });
});
afterAll(async () => {
  await s?.close();
});

test(`waiting for ${BIDS} bids: one bid listing and at most one instance listing per poll round`, async () => {
  const up = s.engine.up(program());
  await until(`${BIDS} bids to be placed`, () => requestCount(s.emulator, "POST /v2/spot/bids") === BIDS);
  s.emulator.admin.clearRequests();
  await until("six poll rounds", () => requestCount(s.emulator, "GET /v2/spot/bids") >= 6);
  const { counts, total } = s.emulator.admin.requests();
  const rounds = counts["GET /v2/spot/bids"];
  const instanceListings = counts["GET /v2/instances"] ?? 0;
  // Before the poller: about 2 requests per waiting bid per round (128 a round here).
  expect(instanceListings).toBeLessThanOrEqual(rounds + 1);
  expect(total / rounds).toBeLessThanOrEqual(3);
  expect(Object.keys(counts).filter((k) => !k.startsWith("GET "))).toEqual([]);

  await s.emulator.admin.advanceClock(3600_000 + 1000);
  const result = await up;
  expect(result.summary.create).toBe(BIDS + 2);
  expect((result.outputs.statuses.value as string[]).every((st) => st === "running")).toBe(true);
  await s.engine.destroy();
  expect(await liveBids(s.client)).toEqual([]);
});
