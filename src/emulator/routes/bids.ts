// Spot bids: POST, GET (paginated), PATCH and DELETE. There is no single-bid GET and no /cancel,
// as in the seed; both get a 404 that says what to do instead.
import { createBidRequestWire, updateBidRequestWire } from "../../fcp-api/schemas/bid";
import { BID_STATUSES } from "../../fcp-api/schemas/status";
import { parsePriceCents } from "../../fcp-api/price";
import { BUILTIN_REGIONS } from "../../fcp-api/builtin-catalog";
import { ok, type ApiHandler } from "../api";
import type { ChangeContext } from "../store";
import { endBid, findPool } from "../market";
import { paginate } from "../pagination";
import { invalid, notFound, show } from "../problem";
import { FINAL_BID_STATUSES, isLiveBid, ownRecord, type BidRecord, type EmulatorState } from "../state";
import { bidView } from "../views";
import { DIALECT_SETTINGS } from "../dialects/dialect";
import {
  checkInstanceTypeFid,
  checkProject,
  checkRegion,
  checkWirePrice,
  parseBody,
  rejectUnknownFields,
  requireObject,
  type JsonObject,
} from "../validation";

/** The seed's limit (the mithril dialect's is in dialects/dialect.ts; also 10,000). */
export const MAX_STARTUP_SCRIPT_CHARS = DIALECT_SETTINGS.seed.maxStartupScriptChars;

const BID_FIELDS = [
  "project",
  "region",
  "instance_type",
  "limit_price",
  "instance_quantity",
  "name",
  "ssh_keys",
  "startup_script",
  "volumes",
  "launch_specification",
] as const;
const LAUNCH_FIELDS = ["ssh_keys", "startup_script", "volumes"] as const;

const BID_MISTAKES: Record<string, string> = {
  price: 'Use "limit_price", not "price": the most you pay per instance-hour, as a dollar string such as "$15.00".',
  max_price: 'Use "limit_price", not "max_price": a dollar string such as "$15.00".',
  max_price_per_hour: 'Use "limit_price", not "max_price_per_hour" (that is the SDK\'s TaskConfig name): a dollar string such as "$15.00".',
  quantity: 'Use "instance_quantity", not "quantity".',
  num_instances: 'Use "instance_quantity", not "num_instances" (that is the SDK\'s TaskConfig name).',
  instance_count: 'Use "instance_quantity", not "instance_count".',
  ssh_key: 'Use "ssh_keys" (a list of SSH key FIDs), not "ssh_key".',
};

const UPDATE_FIELDS = ["limit_price", "paused"] as const;

/** Launch fields may come at the top level (seed) or under `launch_specification` (live). */
function foldLaunchSpecification(body: JsonObject): JsonObject {
  const spec = body.launch_specification;
  if (spec === undefined) return body;
  if (typeof spec !== "object" || spec === null || Array.isArray(spec)) {
    throw invalid("launch_specification", spec, "launch_specification must be an object with ssh_keys, startup_script and volumes.");
  }
  const folded: JsonObject = { ...body };
  delete folded.launch_specification;
  for (const [key, value] of Object.entries(spec as JsonObject)) {
    if (!(LAUNCH_FIELDS as readonly string[]).includes(key)) {
      throw invalid(`launch_specification.${key}`, value, `Unknown field launch_specification.${key}. It takes: ${LAUNCH_FIELDS.join(", ")}.`, [...LAUNCH_FIELDS]);
    }
    if (folded[key] !== undefined && JSON.stringify(folded[key]) !== JSON.stringify(value)) {
      throw invalid(key, folded[key], `${key} is given both at the top level and in launch_specification, with different values. Give it once.`);
    }
    folded[key] = value;
  }
  return folded;
}

function checkStartupScript(script: string, max: number): void {
  const length = script.length <= max ? script.length : Array.from(script).length;
  if (length > max) {
    throw invalid(
      "startup_script",
      script,
      `startup_script is ${length} characters; the limit is ${max}. Compress it, or fetch the rest from a volume or URL at boot.`,
    );
  }
}

function checkSshKeys(state: EmulatorState, project: string, keys: readonly string[]): void {
  const seen = new Set<string>();
  keys.forEach((fid, i) => {
    const field = `ssh_keys.${i}`;
    if (seen.has(fid)) throw invalid(field, fid, `SSH key ${show(fid)} is listed twice.`);
    seen.add(fid);
    const key = ownRecord(state.sshKeys, fid);
    if (!key || key.project !== project) {
      const inProject = Object.values(state.sshKeys).filter((k) => k.project === project).map((k) => k.fid);
      const byName = Object.values(state.sshKeys).find((k) => k.name === fid && k.project === project);
      const hint = byName ? ` ${show(fid)} is the name of ${byName.fid}: send the FID.` : " GET /v2/ssh-keys lists them; create one with POST /v2/ssh-keys.";
      throw invalid(field, fid, `Unknown SSH key ${show(fid)} in project ${project}.${hint}`, inProject.slice(0, 50));
    }
  });
}

/** `exceptBid`: the bid whose own volume list is being replaced (its current attachments do not count). */
export function checkVolumes(state: EmulatorState, project: string, region: string, quantity: number, volumes: readonly string[], exceptBid?: string): void {
  const seen = new Set<string>();
  volumes.forEach((fid, i) => {
    const field = `volumes.${i}`;
    if (seen.has(fid)) throw invalid(field, fid, `Volume ${show(fid)} is listed twice.`);
    seen.add(fid);
    const volume = ownRecord(state.volumes, fid);
    if (!volume || volume.project !== project) {
      const inProject = Object.values(state.volumes).filter((v) => v.project === project).map((v) => v.fid);
      throw invalid(field, fid, `Unknown volume ${show(fid)} in project ${project}. GET /v2/volumes lists them.`, inProject.slice(0, 50));
    }
    if (volume.region !== region) {
      throw invalid(
        field,
        fid,
        `Volume ${fid} is in ${volume.region} but the bid is for ${region}: a volume attaches only to bids in its own region. Create the volume in ${region}, or bid in ${volume.region}.`,
      );
    }
    if (volume.interface === "block") {
      if (quantity > 1) {
        throw invalid(
          field,
          fid,
          `Volume ${fid} is a block volume and the bid asks for ${quantity} instances: a block volume attaches to one instance only. Use a file volume (interface "file") to share data across instances.`,
        );
      }
      const holder = Object.values(state.bids).find((b) => isLiveBid(b) && b.fid !== exceptBid && b.volumes.includes(fid));
      if (holder) {
        throw invalid(
          field,
          fid,
          `Block volume ${fid} is already attached to bid ${holder.fid}. Cancel that bid first, or use another volume (file volumes can be shared).`,
        );
      }
    }
  });
}

/** Keys marked `required` (mithril dialect) must be on every bid of their project. */
function checkRequiredKeys(state: EmulatorState, project: string, keys: readonly string[]): void {
  const missing = Object.values(state.sshKeys).filter((k) => k.project === project && k.required === true && !keys.includes(k.fid));
  if (missing.length > 0) {
    throw invalid(
      "ssh_keys",
      [...keys],
      `Project ${project} requires SSH key(s) ${missing.map((k) => `${k.fid} (${k.name})`).join(", ")} on every bid; add them to ssh_keys.`,
      missing.map((k) => k.fid),
    );
  }
}

function checkOffered(state: EmulatorState, instanceType: string, region: string): void {
  if (findPool(state, instanceType, region)) return;
  const regions = BUILTIN_REGIONS.filter((r) => findPool(state, instanceType, r));
  throw invalid(
    "region",
    region,
    `Instance type ${instanceType} is not offered in ${region}. It is offered in: ${regions.join(", ") || "no region right now"}. GET /v2/spot/availability shows where each type is.`,
    regions,
  );
}

/** What a new bid is made of, parsed from either dialect's request. */
export interface NewBid {
  project: unknown;
  region: unknown;
  instanceType: unknown;
  quantity: number;
  limitPrice: string;
  name: string | null;
  sshKeys: readonly string[];
  startupScript: string;
  volumes: readonly string[];
}

/** Checks a new bid against the state and adds it; throws (changing nothing) when it breaks a rule. */
export function placeBid(state: EmulatorState, { now, newFid }: ChangeContext, input: NewBid, maxScriptChars = MAX_STARTUP_SCRIPT_CHARS): string {
  const project = checkProject(state, "project", input.project);
  const region = checkRegion("region", input.region);
  const instanceType = checkInstanceTypeFid("instance_type", input.instanceType);
  checkOffered(state, instanceType, region);
  checkSshKeys(state, project.fid, input.sshKeys);
  checkRequiredKeys(state, project.fid, input.sshKeys);
  checkStartupScript(input.startupScript, maxScriptChars);
  checkVolumes(state, project.fid, region, input.quantity, input.volumes);

  const { fid, seq } = newFid("bid");
  const bid: BidRecord = {
    seq,
    fid,
    name: input.name,
    project: project.fid,
    createdBy: state.user.fid,
    region,
    instanceType,
    quantity: input.quantity,
    limitCents: parsePriceCents(input.limitPrice, "limit_price"),
    sshKeys: [...input.sshKeys],
    startupScript: input.startupScript,
    volumes: [...input.volumes],
    status: "pending",
    paused: false,
    allocatedAt: null,
    instances: [],
    createdAt: now,
    updatedAt: now,
  };
  state.bids[fid] = bid;
  return fid;
}

export const createBid: ApiHandler = async (req, { store }) => {
  const raw = requireObject(req.body);
  rejectUnknownFields(raw, BID_FIELDS, BID_MISTAKES);
  const body = foldLaunchSpecification(raw);
  if (body.limit_price !== undefined) checkWirePrice("limit_price", body.limit_price);
  const input = parseBody(createBidRequestWire, body);

  const fid = await store.change(
    (state, ctx) =>
      placeBid(state, ctx, {
        project: input.project,
        region: input.region,
        instanceType: input.instance_type,
        quantity: input.instance_quantity,
        limitPrice: input.limit_price,
        name: input.name ?? null,
        sshKeys: input.ssh_keys,
        startupScript: input.startup_script,
        volumes: input.volumes ?? [],
      }),
    (fid, state) => bidView(state.bids[fid]),
  );
  return { status: 201, body: fid };
};

export function readBid(state: EmulatorState, fid: string): BidRecord {
  const bid = ownRecord(state.bids, fid);
  if (!bid) {
    throw notFound(`No bid ${show(fid)}. List bids with GET /v2/spot/bids?project=<project FID> and look for its fid.`, {
      field: "bid_fid",
      value: fid,
    });
  }
  return bid;
}

export const updateBid: ApiHandler = async (req, { store }) => {
  const body = requireObject(req.body);
  for (const key of Object.keys(body)) {
    if (!(UPDATE_FIELDS as readonly string[]).includes(key)) {
      throw invalid(
        key,
        body[key],
        `Only limit_price and paused can change on a bid; ${key} cannot. To change it, create a new bid and cancel this one (DELETE /v2/spot/bids/{fid}).`,
        [...UPDATE_FIELDS],
      );
    }
  }
  if (body.limit_price !== undefined) checkWirePrice("limit_price", body.limit_price);
  const input = parseBody(updateBidRequestWire, body);

  const view = await store.change(
    (state, { now }) => {
      const bid = readBid(state, req.params.fid);
      if (FINAL_BID_STATUSES.includes(bid.status)) {
        throw invalid("bid_fid", bid.fid, `Bid ${bid.fid} is ${bid.status} and can no longer be changed.`);
      }
      const changed = applyPriceAndPause(bid, input);
      if (changed) bid.updatedAt = now;
      return bid.fid;
    },
    (fid, state) => bidView(state.bids[fid]),
  );
  return ok(view);
};

/** A PATCH's limit price and paused flag, in both dialects; true when either changed the bid. */
export function applyPriceAndPause(bid: BidRecord, input: { limit_price?: unknown; paused?: unknown }): boolean {
  let changed = false;
  if (typeof input.limit_price === "string") {
    const cents = parsePriceCents(input.limit_price, "limit_price");
    changed ||= cents !== bid.limitCents;
    bid.limitCents = cents;
  }
  if (typeof input.paused === "boolean" && input.paused !== bid.paused) {
    changed = true;
    setPaused(bid, input.paused);
  }
  return changed;
}

/** Pauses or resumes a bid: a held bid is released by the market; one without instances changes status here. */
export function setPaused(bid: BidRecord, paused: boolean): void {
  bid.paused = paused;
  if (bid.allocatedAt === null) bid.status = paused ? "paused" : "pending";
}

export const cancelBid: ApiHandler = async (req, { store }) => {
  await store.change((state, { now }) => {
    const bid = readBid(state, req.params.fid);
    // Cancelling twice is harmless: a retried DELETE must not fail.
    if (isLiveBid(bid)) endBid(state, bid, "cancelled", now);
  });
  return { status: 204 };
};

export const listBids: ApiHandler = async (req, { store }) => {
  const q = req.query;
  const status = q.get("status");
  // Every status of the seed is a valid filter, even those the emulator never reaches.
  if (status !== null && !(BID_STATUSES as readonly string[]).includes(status)) {
    throw invalid("status", status, `Unknown bid status ${show(status)}.`, [...BID_STATUSES]);
  }
  const instanceType = q.get("instance_type");
  if (instanceType !== null) checkInstanceTypeFid("instance_type", instanceType);
  const project = q.get("project");
  const region = q.get("region");
  return store.read((state) => {
    if (project !== null) checkProject(state, "project", project);
    const matches = Object.values(state.bids).filter(
      (b) =>
        (project === null || b.project === project) &&
        (region === null || b.region === region) &&
        (instanceType === null || b.instanceType === instanceType) &&
        (status === null || b.status === status),
    );
    const page = paginate(matches, q, "bids");
    return ok({ data: page.items.map(bidView), next_cursor: page.nextCursor });
  });
};

export const noSingleBidGet: ApiHandler = async (req) => {
  throw notFound(
    `There is no single-bid GET in FCP v2. List bids with GET /v2/spot/bids?project=<project FID> and pick fid ${show(req.params.fid)} from the result.`,
    { field: "bid_fid", value: req.params.fid },
  );
};

export const noCancelEndpoint: ApiHandler = async (req) => {
  throw notFound(`There is no /cancel endpoint. Cancel a bid with DELETE /v2/spot/bids/${req.params.fid}.`, {
    field: "bid_fid",
    value: req.params.fid,
  });
};
