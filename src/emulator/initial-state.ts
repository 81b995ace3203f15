// The world a fresh emulator starts with: one project, one user, and a spot market for the
// seed's instance types. Prices and capacities are plausible rather than real. Not every type is
// offered everywhere (the seed: "Not all instance types are available in all regions"; H100s are
// easiest in us-central1-b), but a100 and 8xh100 are in both US zones so examples work.
import { BUILTIN_INSTANCE_TYPES, BUILTIN_REGIONS } from "../fcp-api/builtin-catalog";
import { fidFor } from "./ids";
import { auctionFidFor } from "./market";
import type { EmulatorState, MarketRecord } from "./state";

export const EMULATOR_PROJECT_NAME = "my-project";
export const DEV_API_KEY = "fcp-dev-key";

type Offer = { priceCents: number; capacity: number };

/** [instance type name][region] → price per instance-hour and total instances in the pool. */
export const DEFAULT_MARKET: Readonly<Record<string, Partial<Record<(typeof BUILTIN_REGIONS)[number], Offer>>>> = {
  "a100-80gb.sxm.1x": {
    "us-central1-a": { priceCents: 240, capacity: 32 },
    "us-central1-b": { priceCents: 220, capacity: 24 },
    "eu-central1-a": { priceCents: 260, capacity: 16 },
  },
  "a100-80gb.sxm.2x": {
    "us-central1-a": { priceCents: 480, capacity: 16 },
    "us-central1-b": { priceCents: 450, capacity: 12 },
  },
  "a100-80gb.sxm.4x": {
    "us-central1-a": { priceCents: 940, capacity: 8 },
    "us-central1-b": { priceCents: 900, capacity: 8 },
  },
  "a100-80gb.sxm.8x": {
    "us-central1-a": { priceCents: 1850, capacity: 8 },
    "us-central1-b": { priceCents: 1780, capacity: 6 },
    "eu-central1-a": { priceCents: 1920, capacity: 4 },
  },
  "h100-80gb.sxm.8x": {
    "us-central1-a": { priceCents: 2600, capacity: 8 },
    "us-central1-b": { priceCents: 2400, capacity: 16 },
  },
  "h100-80gb.pcie.1x": {
    "us-central1-a": { priceCents: 320, capacity: 16 },
    "eu-central1-a": { priceCents: 340, capacity: 8 },
  },
};

export function defaultMarket(seed: number): MarketRecord[] {
  const market: MarketRecord[] = [];
  for (const type of BUILTIN_INSTANCE_TYPES) {
    const offers = DEFAULT_MARKET[type.name] ?? {};
    for (const region of BUILTIN_REGIONS) {
      const offer = offers[region];
      if (!offer) continue;
      market.push({
        auctionFid: auctionFidFor(seed, type.fid, region),
        instanceType: type.fid,
        region,
        priceCents: offer.priceCents,
        capacity: offer.capacity,
      });
    }
  }
  return market;
}

/** A fresh world. `seq` carries over on reset so FIDs are never reused. */
export function initialState(seed: number, now: number, seq = 0, clockOffsetMs = 0): EmulatorState {
  const projectFid = fidFor("project", seed, "default");
  return {
    seed,
    seq,
    clockOffsetMs,
    savedAt: now,
    user: { fid: fidFor("user", seed, "default"), username: "emulator-user", email: "dev@fcp-emulator.invalid" },
    projects: { [projectFid]: { fid: projectFid, name: EMULATOR_PROJECT_NAME, createdAt: now } },
    bids: {},
    instances: {},
    volumes: {},
    sshKeys: {},
    market: defaultMarket(seed),
  };
}
