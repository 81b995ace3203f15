import { check, diff } from "../../../src/provider/spot-bid-provider";
import { UNKNOWN } from "../../../src/provider/check-failures";

const base = { resourceName: "trainer", instanceType: "a100", region: "us-central1-a", limitPrice: 15 };

async function checked(news: Record<string, unknown>, olds: Record<string, unknown> = {}) {
  const result = await check(olds, news);
  return { inputs: result.inputs as Record<string, unknown>, failures: result.failures ?? [] };
}

describe("SpotBid check", () => {
  it("fills defaults and normalises the price", async () => {
    const { inputs, failures } = await checked(base);
    expect(failures).toEqual([]);
    expect(inputs).toMatchObject({
      limitPrice: "$15.00",
      instanceQuantity: 1,
      sshKeyIds: [],
      volumeIds: [],
      startupScript: "",
      paused: false,
      waitFor: "running",
      readyTimeoutMinutes: 30,
    });
    expect(inputs.name).toMatch(/^trainer-[0-9a-f]{8}$/);
  });

  it("keeps the generated name stable across updates", async () => {
    const first = await checked(base);
    const second = await checked({ ...base, limitPrice: 20 }, first.inputs);
    expect(second.inputs.name).toBe(first.inputs.name);
  });

  it("gives a fresh name when checked without olds (a replacement)", async () => {
    const first = await checked(base);
    const again = await checked(base);
    expect(again.inputs.name).not.toBe(first.inputs.name);
  });

  it.each([
    [{ instanceType: "A100" }, "instanceType", /"a100"/],
    [{ instanceType: "a100x8" }, "instanceType", /8xa100/],
    [{ instanceType: "gpu.nvidia.a100" }, "instanceType", /a100/],
    [{ limitPrice: -1 }, "limitPrice", /non-negative/],
    [{ limitPrice: "15.00" }, "limitPrice", /\$15\.00/],
    [{ limitPrice: Number.NaN }, "limitPrice", /finite/],
    [{ instanceQuantity: 0 }, "instanceQuantity", /./],
    [{ instanceQuantity: 1.5 }, "instanceQuantity", /./],
    [{ startupScript: "x".repeat(10_001) }, "startupScript", /10000 characters/],
    [{ waitFor: "ready" }, "waitFor", /./],
    [{ name: "has space" }, "name", /letters, digits/],
  ])("reports %j on the property it concerns", async (change, property, reason) => {
    const { failures } = await checked({ ...base, ...change });
    expect(failures).toEqual([expect.objectContaining({ property, reason: expect.stringMatching(reason) })]);
  });

  it("passes unknown values through during preview", async () => {
    const { inputs, failures } = await checked({ ...base, sshKeyIds: [UNKNOWN], limitPrice: UNKNOWN });
    expect(failures).toEqual([]);
    expect(inputs.limitPrice).toBe(UNKNOWN);
  });
});

describe("SpotBid diff", () => {
  async function diffOf(change: Record<string, unknown>, from: Record<string, unknown> = {}) {
    const old = (await checked({ ...base, ...from })).inputs;
    const olds = { ...old, instanceTypeFid: "it_MsIRhxj3ccyVWGfP", instanceTypeName: "a100-80gb.sxm.1x", bidId: "bid_1" };
    const news = (await checked({ ...base, ...from, ...change }, old)).inputs;
    return diff("bid_1", olds, news);
  }

  it.each([
    ["a price change", { limitPrice: 20 }],
    ["pausing", { paused: true }],
    ["a longer wait", { readyTimeoutMinutes: 60 }],
  ])("updates in place for %s", async (_what, change) => {
    expect(await diffOf(change)).toEqual({ changes: true, replaces: [] });
  });

  it.each([
    ["instanceQuantity", { instanceQuantity: 4 }],
    ["instanceType", { instanceType: "2xa100" }],
    ["region", { region: "us-central1-b" }],
    ["sshKeyIds", { sshKeyIds: ["ssh-key_x"] }],
    ["volumeIds", { volumeIds: ["vol_x"] }],
    ["startupScript", { startupScript: "#!/bin/bash\necho hi\n" }],
  ])("replaces on %s", async (key, change) => {
    expect(await diffOf(change)).toEqual({ changes: true, replaces: [key] });
  });

  it.each([
    ["1xa100 for a100", { instanceType: "1xa100" }],
    ["the full name for a100", { instanceType: "a100-80gb.sxm.1x" }],
    ["the FID for a100", { instanceType: "it_MsIRhxj3ccyVWGfP" }],
    ['"$15.00" for 15', { limitPrice: "$15.00" }],
    ['"$15" for 15', { limitPrice: "$15" }],
  ])("sees no change in %s", async (_what, change) => {
    expect(await diffOf(change)).toEqual({ changes: false, replaces: [] });
  });

  it("treats reordered SSH keys as the same set", async () => {
    expect(await diffOf({ sshKeyIds: ["b", "a"] }, { sshKeyIds: ["a", "b"] })).toEqual({ changes: false, replaces: [] });
  });

  it("replaces when a replace-key is unknown during preview", async () => {
    expect(await diffOf({ sshKeyIds: [UNKNOWN] })).toEqual({ changes: true, replaces: ["sshKeyIds"] });
  });
});
