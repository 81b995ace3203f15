// Read-only catalog endpoints in the mithril dialect: me, projects, instance types, spot
// availability, current prices, and the empty listings flow-compute needs (reservations, CPU VMs).
import { ok, type ApiHandler } from "../../api";
import { checkProject } from "../../validation";
import { parseMithrilQuery } from "./requests";
import { auctionsView, currentPricesView, instanceTypesView, meView, projectView } from "./views";

export const getMe: ApiHandler = async (_req, { store }) => store.read((state) => ok(meView(state)));
export const listProjects: ApiHandler = async (_req, { store }) => store.read((state) => ok(Object.values(state.projects).map(projectView)));
export const listInstanceTypes: ApiHandler = async (_req, { store }) => store.read((state) => ok(instanceTypesView(state)));
export const getCurrentPrices: ApiHandler = async (req, { store }) => {
  const q = parseMithrilQuery(
    { instance_type: { t: "str" }, region: { t: "str", nullable: true }, instance_quantity: { t: "int", ge: 1, le: 256 } },
    ["instance_type"],
    req.query,
  );
  return store.read((state) => {
    const instanceType = q.instance_type as string;
    const regions = typeof q.region === "string" ? [q.region] : [...new Set(state.market.filter((m) => m.instanceType === instanceType).map((m) => m.region))];
    // Without a region, the cheapest pool answers.
    const views = regions.map((r) => currentPricesView(state, instanceType, r)).filter((v) => v !== undefined);
    const cheapest = views.sort((a, b) => a.spot_price_cents - b.spot_price_cents)[0];
    return ok(cheapest ?? NO_MARKET_PRICES);
  });
};

/**
 * A pool the emulator does not have: a reserve price and nothing free. flow-compute 3.28.2
 * probes this endpoint for H100/H200 FIDs of its own built-in list that availability does not
 * show, and fails on a 404 as on a 200 without a positive price; the live market always quotes.
 */
const NO_MARKET_PRICES = {
  spot_price_cents: null,
  reserved_price_cents: null,
  minimum_price_cents: 100,
  lowest_allocated_bid_cents: null,
  dynamic_win_price_cents: null,
  available_capacity: 0,
  total_capacity: 0,
};

/**
 * The emulator has no reservations, so listing them is an empty page. flow-compute lists them
 * before every spot bid (to prefer a matching reservation), so a 501 here would stop it.
 */
export const listReservations: ApiHandler = async (req, { store }) => {
  const q = parseMithrilQuery(
    {
      next_cursor: { t: "str" },
      sort_by: { t: "enum", values: ["created_at", "status"] },
      sort_dir: { t: "enum", values: ["asc", "desc"] },
      project: { t: "str" },
      instance_type: { t: "str" },
      region: { t: "str" },
      status: { t: "enum", values: ["Pending", "Active", "Paused", "Canceled", "Ended"] },
      limit: { t: "int", ge: 1, le: 100 },
    },
    ["project"],
    req.query,
  );
  return store.read((state) => {
    checkProject(state, "project", q.project);
    return ok({ data: [], next_cursor: null });
  });
};

/** No CPU-only VM types or regions are emulated; flow-compute lists them with every task listing. */
export const noCpuOfferings: ApiHandler = async () => ok([]);

export const getAvailability: ApiHandler = async (_req, { store }) => store.read((state) => ok(auctionsView(state)));
