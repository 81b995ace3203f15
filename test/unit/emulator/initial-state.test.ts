import { BUILTIN_INSTANCE_TYPES, BUILTIN_REGIONS } from "../../../src/fcp-api/builtin-catalog";
import { FID_PREFIX } from "../../../src/fcp-api/schemas/common";
import { defaultMarket, initialState } from "../../../src/emulator/initial-state";
import { emulatorState } from "../../../src/emulator/state";

describe("the seeded world", () => {
  const market = defaultMarket(1);
  const offered = (name: string, region: string) => {
    const fid = BUILTIN_INSTANCE_TYPES.find((t) => t.name === name)!.fid;
    return market.some((m) => m.instanceType === fid && m.region === region);
  };

  it.each([
    ["a100-80gb.sxm.1x", "us-central1-a"],
    ["a100-80gb.sxm.1x", "us-central1-b"],
    ["h100-80gb.sxm.8x", "us-central1-a"],
    ["h100-80gb.sxm.8x", "us-central1-b"],
  ])("offers %s in %s, so the examples work", (name, region) => {
    expect(offered(name, region)).toBe(true);
  });

  it("leaves some types out of some regions, as the seed warns", () => {
    const pairs = BUILTIN_INSTANCE_TYPES.length * BUILTIN_REGIONS.length;
    expect(market.length).toBeLessThan(pairs);
    expect(offered("h100-80gb.sxm.8x", "eu-central1-a")).toBe(false);
  });

  it("prices per instance-hour plausibly: a100 1x about $2-3, 8xh100 about $20-30", () => {
    const a100 = market.filter((m) => m.instanceType === "it_MsIRhxj3ccyVWGfP").map((m) => m.priceCents);
    const h100 = market.filter((m) => m.instanceType === "it_5ECSoHQjLBzrp5YM").map((m) => m.priceCents);
    expect(Math.min(...a100)).toBeGreaterThanOrEqual(200);
    expect(Math.max(...a100)).toBeLessThanOrEqual(300);
    expect(Math.min(...h100)).toBeGreaterThanOrEqual(2000);
    expect(Math.max(...h100)).toBeLessThanOrEqual(3000);
  });

  it("uses the seed's FID prefixes and gives the same FIDs for the same seed", () => {
    const a = initialState(11, 0);
    expect(initialState(11, 0)).toEqual(a);
    expect(Object.keys(a.projects)[0].startsWith(FID_PREFIX.project)).toBe(true);
    expect(a.market.every((m) => m.auctionFid.startsWith(FID_PREFIX.auction))).toBe(true);
    expect(Object.keys(initialState(12, 0).projects)[0]).not.toBe(Object.keys(a.projects)[0]);
  });

  it("passes the state file's own schema", () => {
    expect(emulatorState.safeParse(initialState(1, 0)).success).toBe(true);
  });
});
