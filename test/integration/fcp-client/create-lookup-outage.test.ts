// Issue 12, no orphan by construction: after a lost create answer, the lookup that decides
// between "adopt" and "send again" keeps trying through an outage longer than one listing's own
// retries (within the call's deadline), so the bid is adopted, not left for the next `up` to
// duplicate.
import { startEmulator, type RunningEmulator } from "../../../src/emulator";
import type { FcpClient } from "../../../src/fcp-client/client";
import { emulatorClient } from "../../fixtures/fcp-client/emulator-client";

describe("createBid when the lookup after a lost answer meets a long outage", () => {
  let emu: RunningEmulator;
  let c: FcpClient;
  beforeAll(async () => {
    emu = await startEmulator({ seed: 31, provisionSeconds: 0, instances: "none" });
    c = emulatorClient(emu);
  });
  afterAll(async () => {
    await c.close();
    await emu.close();
  });

  it.each([500, 503, 429])("adopts the bid through 12 lookups answered %i in a row", async (status) => {
    const name = `outage-${status}`;
    await emu.admin.setFaults({
      failAfterWrite: { count: 1, routes: ["POST /v2/spot/bids"] },
      ...(status === 429
        ? { rateLimit: { count: 12, retryAfterSeconds: 0, routes: ["GET /v2/spot/bids"] } }
        : { errors: { count: 12, statuses: [status], routes: ["GET /v2/spot/bids"] } }),
    });
    const bid = await c.createBid({ name, instanceType: "a100", limitPrice: "$15.00", sshKeys: [] });
    const fired = emu.admin.faults().fired;
    expect(fired.failAfterWrite).toBe(1);
    expect(status === 429 ? fired.rateLimit : fired.errors).toBe(12);
    emu.admin.setFaults({});
    const named = (await c.listBids()).filter((b) => b.name === name);
    expect(named.map((b) => b.fid)).toEqual([bid.fid]);
  });
});
