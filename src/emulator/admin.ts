// The admin API under /_emulator/ (no FCP key): look at everything, move the market and the
// clock, inject faults, count requests, reset. The same operations are methods of EmulatorAdmin
// for tests in the same process; the HTTP routes only parse and forward.
import { z } from "zod";
import { BUILTIN_INSTANCE_TYPES, BUILTIN_REGIONS, BUILTIN_SHORT_NAMES } from "../fcp-api/builtin-catalog";
import { formatPrice, parsePriceCents } from "../fcp-api/price";
import { ok, type ApiHandler } from "./api";
import { auctionFidFor, endBid, findPool, freeCapacity, heldByPool, poolKey } from "./market";
import { faultConfig, type FaultConfig, type FaultInjector } from "./faults";
import { invalid, notFound, show } from "./problem";
import type { RequestCounts, RequestLog } from "./request-log";
import { Router } from "./router";
import { FINAL_BID_STATUSES, ownRecord, type EmulatorState, type MarketRecord } from "./state";
import type { Store } from "./store";
import type { InstanceFleet } from "./instances/fleet";
import { bidView, instanceView, iso, projectView, sshKeyView, volumeAttachments, volumeView } from "./views";
import { parseBody, requireObject } from "./validation";

/** One pool change. Omitted fields keep their value; a new pool needs both price and capacity. */
export const marketUpdate = z
  .object({
    /** A FID (`it_...`) or a name (`a100-80gb.sxm.1x`, `8xh100`). */
    instance_type: z.string().min(1),
    region: z.string().min(1),
    /** `"$12.50"` or a number of dollars. */
    price: z.union([z.string(), z.number()]).optional(),
    /** Instances in the pool in all, held ones included. */
    capacity: z.number().int().min(0).max(1_000_000).optional(),
  })
  .strict();
export type MarketUpdate = z.infer<typeof marketUpdate>;

/** The most one advance may move the clock: ten years is longer than any bid lives. */
export const MAX_CLOCK_ADVANCE_MS = 10 * 366 * 24 * 3600 * 1000;

export const clockAdvance = z
  .object({ ms: z.number().min(0).max(MAX_CLOCK_ADVANCE_MS).optional(), seconds: z.number().min(0).max(MAX_CLOCK_ADVANCE_MS / 1000).optional() })
  .strict()
  .refine((v) => (v.ms === undefined) !== (v.seconds === undefined), "give exactly one of ms and seconds");

const ENDABLE = ["completed", "failed", "terminated"] as const;
export const bidEnd = z.object({ status: z.enum(ENDABLE) }).strict();

export interface MarketEntryView {
  auction: string;
  instance_type: string;
  instance_type_name: string;
  region: string;
  price: string;
  /** Instances in the pool in all. */
  capacity: number;
  /** Instances held by live bids. */
  held: number;
  /** What GET /v2/spot/availability reports as `capacity`. */
  available: number;
}

export interface ClockView {
  now: string;
  now_ms: number;
  offset_ms: number;
}

export class EmulatorAdmin {
  constructor(
    private readonly store: Store,
    private readonly faultInjector: FaultInjector,
    private readonly requestLog: RequestLog,
    private readonly fleet?: InstanceFleet,
  ) {}

  /** Everything, as the API would show it, plus the market's pools and the clock. */
  async state() {
    const store = this.store;
    // Boot state, startup exit code and log tail of each booted instance (sandbox runtime only).
    const boots = this.fleet ? await this.fleet.describeAll() : undefined;
    return store.read((state, now) => {
      const attached = volumeAttachments(state);
      return {
        ...this.clockAt(now),
        provision_seconds: store.provisionMs / 1000,
        seed: state.seed,
        user: state.user,
        projects: Object.values(state.projects).map(projectView),
        bids: Object.values(state.bids).map(bidView),
        instances: Object.values(state.instances).map((i) => (boots ? { ...instanceView(i), boot: boots[i.fid] ?? null } : instanceView(i))),
        volumes: Object.values(state.volumes).map((v) => volumeView(v, attached.get(v.fid) ?? [])),
        ssh_keys: Object.values(state.sshKeys).map(sshKeyView),
        market: marketView(state),
      };
    });
  }

  /** Sets price and/or capacity of pools; the market settles at once (allocations, preemptions). */
  async setMarket(updates: MarketUpdate | readonly MarketUpdate[]): Promise<MarketEntryView[]> {
    const list = Array.isArray(updates) ? (updates as MarketUpdate[]) : [updates as MarketUpdate];
    const resolved = list.map((u, i) => resolveUpdate(u, i));
    return this.store.change(
      (state) => {
        for (const u of resolved) {
          if (u.priceCents === undefined || u.capacity === undefined) {
            if (!findPool(state, u.instanceType, u.region)) {
              throw invalid(
                "capacity",
                u.capacity ?? null,
                `${u.instanceType} is not offered in ${u.region} yet: give both price and capacity to open that pool.`,
              );
            }
          }
        }
        for (const u of resolved) {
          let pool = findPool(state, u.instanceType, u.region);
          if (!pool) {
            pool = {
              auctionFid: auctionFidFor(state.seed, u.instanceType, u.region),
              instanceType: u.instanceType,
              region: u.region,
              priceCents: 0,
              capacity: 0,
            };
            state.market.push(pool);
          }
          if (u.priceCents !== undefined) pool.priceCents = u.priceCents;
          if (u.capacity !== undefined) pool.capacity = u.capacity;
        }
        return resolved.map((u) => poolKey(u.instanceType, u.region));
      },
      (keys, state) => marketView(state).filter((m) => keys.includes(poolKey(m.instance_type, m.region))),
    );
  }

  async advanceClock(ms: number): Promise<ClockView> {
    return this.store.change(
      () => this.store.clock.advance(ms),
      (now) => this.clockAt(now),
    );
  }

  clock(): ClockView {
    return this.clockAt(this.store.clock.now());
  }

  setFaults(config: FaultConfig) {
    this.faultInjector.configure(faultConfig.parse(config));
    return this.faultInjector.describe();
  }

  faults() {
    return this.faultInjector.describe();
  }

  requests(): RequestCounts {
    return this.requestLog.snapshot();
  }

  clearRequests(): void {
    this.requestLog.clear();
  }

  /** Back to the initial state (initial-state.ts); faults and request counts cleared. FIDs are never reused. */
  async reset(): Promise<void> {
    await this.store.reset();
    await this.fleet?.settled();
    this.faultInjector.configure({});
    this.requestLog.clear();
  }

  /** Ends a bid as the service would on its own (job done, hardware failure). */
  async endBid(fid: string, status: (typeof ENDABLE)[number]) {
    return this.store.change(
      (state, { now }) => {
        const bid = ownRecord(state.bids, fid);
        if (!bid) throw notFound(`No bid ${show(fid)}.`, { field: "bid_fid", value: fid });
        if (FINAL_BID_STATUSES.includes(bid.status)) {
          throw invalid("bid_fid", fid, `Bid ${fid} is already ${bid.status}.`);
        }
        endBid(state, bid, status, now);
        return fid;
      },
      (f, state) => bidView(state.bids[f]),
    );
  }

  private clockAt(now: number): ClockView {
    return { now: iso(now), now_ms: now, offset_ms: this.store.clock.offsetMs };
  }
}

function resolveUpdate(u: MarketUpdate, index: number) {
  const field = (name: string) => (index === 0 ? name : `${index}.${name}`);
  const raw = u.instance_type.trim();
  const lower = raw.toLowerCase();
  // Own properties only: "constructor" or "__proto__" must not find Object's prototype.
  const shortFid = Object.hasOwn(BUILTIN_SHORT_NAMES, lower) ? BUILTIN_SHORT_NAMES[lower] : undefined;
  const type =
    BUILTIN_INSTANCE_TYPES.find((t) => t.fid === raw || t.name === lower) ??
    BUILTIN_INSTANCE_TYPES.find((t) => shortFid !== undefined && t.fid === shortFid);
  if (!type) {
    throw invalid(field("instance_type"), u.instance_type, `Unknown instance type ${show(u.instance_type)}: give a FID or a name.`, BUILTIN_INSTANCE_TYPES.map((t) => t.name));
  }
  if (!(BUILTIN_REGIONS as readonly string[]).includes(u.region)) {
    throw invalid(field("region"), u.region, `Unknown region ${show(u.region)}.`, [...BUILTIN_REGIONS]);
  }
  let priceCents: number | undefined;
  if (u.price !== undefined) {
    try {
      priceCents = parsePriceCents(u.price, "price");
    } catch (err) {
      throw invalid(field("price"), u.price, (err as Error).message);
    }
  }
  return { instanceType: type.fid, region: u.region, priceCents, capacity: u.capacity };
}

export function marketView(state: EmulatorState): MarketEntryView[] {
  const held = heldByPool(state);
  return state.market.map((m: MarketRecord) => ({
    auction: m.auctionFid,
    instance_type: m.instanceType,
    instance_type_name: BUILTIN_INSTANCE_TYPES.find((t) => t.fid === m.instanceType)?.name ?? m.instanceType,
    region: m.region,
    price: formatPrice(m.priceCents),
    capacity: m.capacity,
    held: held.get(poolKey(m.instanceType, m.region)) ?? 0,
    available: freeCapacity(state, m, held),
  }));
}

/** Admin HTTP routes, each a thin parser in front of EmulatorAdmin. */
export function adminRouter(admin: EmulatorAdmin): Router<ApiHandler> {
  const parseObject = <S extends z.ZodTypeAny>(schema: S, body: unknown): z.output<S> => parseBody(schema, requireObject(body));
  return new Router<ApiHandler>()
    .add("GET", "/_emulator/state", async () => ok(await admin.state()))
    .add("POST", "/_emulator/market", async (req) => {
      // One update, a bare array of them, or {"updates": [...]}.
      const body = req.body;
      const items: unknown[] = Array.isArray(body)
        ? body
        : body && typeof body === "object" && "updates" in body && Array.isArray((body as { updates: unknown }).updates)
          ? (body as { updates: unknown[] }).updates
          : [body];
      if (items.length === 0) throw invalid("updates", [], "Give at least one market update.");
      return ok({ market: await admin.setMarket(items.map((u) => parseObject(marketUpdate, u))) });
    })
    .add("GET", "/_emulator/clock", async () => ok(admin.clock()))
    .add("POST", "/_emulator/clock/advance", async (req) => {
      const input = parseObject(clockAdvance, req.body);
      return ok(await admin.advanceClock(input.ms ?? (input.seconds ?? 0) * 1000));
    })
    .add("GET", "/_emulator/faults", async () => ok(admin.faults()))
    .add("POST", "/_emulator/faults", async (req) => ok(admin.setFaults(parseObject(faultConfig, req.body ?? {}))))
    .add("DELETE", "/_emulator/faults", async () => ok(admin.setFaults({})))
    .add("GET", "/_emulator/requests", async () => ok(admin.requests()))
    .add("DELETE", "/_emulator/requests", async () => {
      admin.clearRequests();
      return { status: 204 };
    })
    .add("POST", "/_emulator/reset", async () => {
      await admin.reset();
      return ok(await admin.state());
    })
    .add("POST", "/_emulator/bids/{fid}/end", async (req) => {
      const input = parseObject(bidEnd, req.body);
      return ok(await admin.endBid(req.params.fid, input.status));
    });
}
