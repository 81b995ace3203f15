// Issue 12: what cancelBid resolves to, as FCP (and the emulator) answer it. A DELETE on a bid
// that is already cancelled is a 204 again, so a retried DELETE whose first answer was lost
// resolves true; only a bid FCP does not know resolves false.
import { startEmulator, type RunningEmulator } from "../../../src/emulator";
import type { FcpClient } from "../../../src/fcp-client/client";
import { emulatorClient } from "../../fixtures/fcp-client/emulator-client";

describe("FcpClient.cancelBid", () => {
  let emu: RunningEmulator;
  let c: FcpClient;
  beforeAll(async () => {
    emu = await startEmulator({ seed: 21, provisionSeconds: 0, instances: "none" });
    c = emulatorClient(emu);
  });
  afterAll(async () => {
    await c.close();
    await emu.close();
  });
  beforeEach(() => emu.admin.setFaults({}));

  const newBid = (name: string) => c.createBid({ name, instanceType: "a100", limitPrice: "$15.00", sshKeys: [] });
  const statusOf = async (fid: string) => (await c.listBids()).find((b) => b.fid === fid)?.status;

  it("resolves true for a bid it cancels", async () => {
    const bid = await newBid("cancel-once");
    await expect(c.cancelBid(bid.fid)).resolves.toBe(true);
    expect(await statusOf(bid.fid)).toBe("cancelled");
  });

  it("resolves true again for a bid that is already cancelled (FCP answers 204 again)", async () => {
    const bid = await newBid("cancel-twice");
    await c.cancelBid(bid.fid);
    await expect(c.cancelBid(bid.fid)).resolves.toBe(true);
  });

  it("resolves true after the first DELETE's answer is lost and the retry lands on a cancelled bid", async () => {
    const bid = await newBid("cancel-lost-answer");
    emu.admin.setFaults({ failAfterWrite: { count: 1, routes: ["DELETE /v2/spot/bids/{fid}"] } });
    await expect(c.cancelBid(bid.fid)).resolves.toBe(true);
    expect(emu.admin.faults().fired.failAfterWrite).toBe(1);
    expect(await statusOf(bid.fid)).toBe("cancelled");
  });

  it("resolves true through one 500 on the DELETE", async () => {
    const bid = await newBid("cancel-through-500");
    emu.admin.setFaults({ errors: { count: 1, statuses: [500], routes: ["DELETE /v2/spot/bids/{fid}"] } });
    await expect(c.cancelBid(bid.fid)).resolves.toBe(true);
    expect(await statusOf(bid.fid)).toBe("cancelled");
  });

  it("resolves false only for a bid FCP does not know", async () => {
    await expect(c.cancelBid("bid_doesnotexist0000")).resolves.toBe(false);
  });
});
