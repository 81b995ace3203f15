// Every endpoint of the live Mithril OpenAPI, in the mithril dialect: the spot-compute ones served
// from the shared store and market, the rest a 501 naming the endpoint.
import { parsePriceCents } from "../../fcp-api/price";
import { ok, type ApiHandler } from "../api";
import { endBid } from "../market";
import { ApiProblem, notFound, show } from "../problem";
import { Router } from "../router";
import { checkVolumes, placeBid, readBid } from "../routes/bids";
import { checkPublicKey } from "../routes/ssh-keys";
import { FINAL_BID_STATUSES, isLiveBid, ownRecord, type EmulatorState } from "../state";
import { volumeAttachments } from "../views";
import { checkInstanceTypeFid, checkProject, checkRegion, checkWirePrice } from "../validation";
import type { DialectSettings } from "./dialect";
import { FastApiValidationProblem, notModelled } from "./mithril-errors";
import { mithrilPage, sortRecords } from "./mithril-pagination";
import {
  createBidRequest,
  createSshKeyRequest,
  createVolumeRequest,
  listBidsQuery,
  listInstancesQuery,
  listVolumesQuery,
  parseMithrilBody,
  parseMithrilQuery,
  updateBidRequest,
  updateSshKeyRequest,
  updateVolumeRequest,
  type Parsed,
} from "./mithril-requests";
import {
  auctionsView,
  bidView,
  currentPricesView,
  instanceTypesView,
  instanceView,
  meView,
  mithrilBidStatus,
  mithrilInstanceStatus,
  projectView,
  sshKeyView,
  volumeView,
} from "./mithril-views";
import { generateRsaKeyPair } from "./rsa-key-pair";

/** The live service's SSH key FIDs start `sshkey_`; the seed's `ssh-key_`. */
const SSH_KEY_PREFIX = "sshkey_";

/** Fields the bid rules name at the top level that the live request nests in launch_specification. */
const LAUNCH_FIELD = /^(ssh_keys|startup_script|volumes)(\.|$)/;

/** Runs shared checks and moves what they say about launch fields to where mithril has them. */
function inLaunchSpecification<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    const field = err instanceof ApiProblem ? err.details?.field : undefined;
    if (err instanceof ApiProblem && err.status === 422 && field !== undefined && LAUNCH_FIELD.test(field)) {
      throw new ApiProblem(err.status, err.code, err.message, { ...err.details, field: `launch_specification.${field}` });
    }
    throw err;
  }
}

function requireMithrilPositive(field: string, value: number): void {
  if (value < 1) throw new FastApiValidationProblem([{ loc: ["body", field], msg: `${field} must be at least 1; got ${value}.`, type: "value_error" }]);
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

const getMe: ApiHandler = async (_req, { store }) => store.read((state) => ok(meView(state)));
const listProjects: ApiHandler = async (_req, { store }) => store.read((state) => ok(Object.values(state.projects).map(projectView)));
const listInstanceTypes: ApiHandler = async (_req, { store }) => store.read((state) => ok(instanceTypesView(state)));
const getCurrentPrices: ApiHandler = async (req, { store }) => {
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
const listReservations: ApiHandler = async (req, { store }) => {
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
const noCpuOfferings: ApiHandler = async () => ok([]);

const getAvailability: ApiHandler = async (_req, { store }) => store.read((state) => ok(auctionsView(state)));

function createBid(settings: DialectSettings): ApiHandler {
  return async (req, { store }) => {
    const input = parseMithrilBody(createBidRequest, req.body);
    const spec = input.launch_specification as Parsed;
    checkWirePrice("limit_price", input.limit_price);
    requireMithrilPositive("instance_quantity", input.instance_quantity as number);
    if (typeof spec.memory_gb === "number") {
      throw new FastApiValidationProblem([
        { loc: ["body", "launch_specification", "memory_gb"], msg: "memory_gb cannot be set: no emulated instance type has adjustable memory (adjustable_memory is false).", type: "value_error" },
      ]);
    }
    const view = await store.change(
      (state, ctx) =>
        inLaunchSpecification(() =>
          placeBid(
            state,
            ctx,
            {
              project: input.project,
              region: input.region,
              instanceType: input.instance_type,
              quantity: input.instance_quantity as number,
              limitPrice: input.limit_price as string,
              name: input.name as string,
              sshKeys: strings(spec.ssh_keys),
              startupScript: typeof spec.startup_script === "string" ? spec.startup_script : "",
              volumes: strings(spec.volumes),
            },
            settings.maxStartupScriptChars,
          ),
        ),
      (fid, state) => bidView(state.bids[fid]),
    );
    return { status: 201, body: view };
  };
}

const getBid: ApiHandler = async (req, { store }) => store.read((state) => ok(bidView(readBid(state, req.params.fid))));

const updateBid: ApiHandler = async (req, { store }) => {
  const input = parseMithrilBody(updateBidRequest, req.body);
  if (typeof input.limit_price === "string") checkWirePrice("limit_price", input.limit_price);
  if (typeof input.memory_gb === "number") {
    throw new FastApiValidationProblem([{ loc: ["body", "memory_gb"], msg: "memory_gb cannot change: no emulated instance type has adjustable memory.", type: "value_error" }]);
  }
  const view = await store.change(
    (state, { now }) => {
      const bid = readBid(state, req.params.fid);
      if (FINAL_BID_STATUSES.includes(bid.status)) {
        throw new ApiProblem(409, "CONFLICT", `Bid ${bid.fid} is terminated and can no longer be changed.`);
      }
      const volumes = Array.isArray(input.volumes) ? strings(input.volumes) : undefined;
      if (volumes) inLaunchSpecification(() => checkVolumes(state, bid.project, bid.region, bid.quantity, volumes, bid.fid));
      // Everything is checked; from here the edits cannot fail.
      let changed = false;
      if (typeof input.limit_price === "string") {
        const cents = parsePriceCents(input.limit_price, "limit_price");
        changed ||= cents !== bid.limitCents;
        bid.limitCents = cents;
      }
      if (volumes && JSON.stringify(volumes) !== JSON.stringify(bid.volumes)) {
        changed = true;
        bid.volumes = volumes;
      }
      if (typeof input.paused === "boolean" && input.paused !== bid.paused) {
        changed = true;
        bid.paused = input.paused;
        if (bid.allocatedAt === null) bid.status = input.paused ? "paused" : "pending";
      }
      if (changed) bid.updatedAt = now;
      return bid.fid;
    },
    (fid, state) => bidView(state.bids[fid]),
  );
  return ok(view);
};

const cancelBid: ApiHandler = async (req, { store }) => {
  await store.change((state, { now }) => {
    const bid = readBid(state, req.params.fid);
    if (isLiveBid(bid)) endBid(state, bid, "cancelled", now);
  });
  return { status: 204 };
};

const listBids: ApiHandler = async (req, { store }) => {
  const q = parseMithrilQuery(listBidsQuery, [], req.query);
  return store.read((state) => {
    if (typeof q.project === "string") checkProject(state, "project", q.project);
    if (typeof q.instance_type === "string") checkInstanceTypeFid("instance_type", q.instance_type);
    const matches = Object.values(state.bids).filter(
      (b) =>
        (q.project === undefined || b.project === q.project) &&
        (q.region === undefined || b.region === q.region) &&
        (q.instance_type === undefined || b.instanceType === q.instance_type) &&
        (q.name === undefined || b.name === q.name) &&
        (q.status === undefined || mithrilBidStatus(b) === q.status),
    );
    const sorted = sortRecords(matches, (b) => (q.sort_by === "status" ? mithrilBidStatus(b) : b.createdAt), q.sort_dir);
    const page = mithrilPage(sorted, "bids", q.limit, q.next_cursor);
    return ok({ data: page.items.map(bidView), next_cursor: page.nextCursor });
  });
};

const listInstances: ApiHandler = async (req, { store }) => {
  const q = parseMithrilQuery(listInstancesQuery, ["project"], req.query);
  const statuses = q.status_in as string[] | undefined;
  const bids = q.bid_fid_in as string[] | undefined;
  const orderTypes = q.order_type_in as string[] | undefined;
  const reservations = q.reservation_fid_in as string[] | undefined;
  return store.read((state) => {
    checkProject(state, "project", q.project);
    const matches = Object.values(state.instances).filter(
      (i) =>
        i.project === q.project &&
        (q.region === undefined || i.region === q.region) &&
        (q.instance_type === undefined || i.instanceType === q.instance_type) &&
        (statuses === undefined || statuses.length === 0 || statuses.includes(mithrilInstanceStatus(i))) &&
        (bids === undefined || bids.length === 0 || bids.includes(i.bid)) &&
        // Every emulated instance belongs to a bid, none to a reservation.
        (orderTypes === undefined || orderTypes.length === 0 || orderTypes.includes("Bid")) &&
        (reservations === undefined || reservations.length === 0),
    );
    const key = (i: (typeof matches)[number]) =>
      q.sort_by === "instance_status" ? mithrilInstanceStatus(i) : q.sort_by === "instance_type_fid" ? i.instanceType : i.createdAt;
    const page = mithrilPage(sortRecords(matches, key, q.sort_dir), "instances", q.limit, q.next_cursor);
    return ok({ data: page.items.map((i) => instanceView(i, state)), next_cursor: page.nextCursor });
  });
};

function shownVolume(state: EmulatorState, fid: string) {
  return volumeView(state.volumes[fid], volumeAttachments(state).get(fid) ?? []);
}

const listVolumes: ApiHandler = async (req, { store }) => {
  const q = parseMithrilQuery(listVolumesQuery, ["project"], req.query);
  return store.read((state) => {
    checkProject(state, "project", q.project);
    const attached = volumeAttachments(state);
    return ok(
      Object.values(state.volumes)
        .filter((v) => v.project === q.project && (q.region === undefined || v.region === q.region))
        .map((v) => volumeView(v, attached.get(v.fid) ?? [])),
    );
  });
};

const createVolume: ApiHandler = async (req, { store }) => {
  const input = parseMithrilBody(createVolumeRequest, req.body);
  const view = await store.change(
    (state, { now, newFid }) => {
      const project = checkProject(state, "project", input.project);
      const region = checkRegion("region", input.region);
      const { fid, seq } = newFid("volume");
      state.volumes[fid] = {
        seq,
        fid,
        name: input.name as string,
        project: project.fid,
        region,
        sizeGb: input.size_gb as number,
        interface: input.disk_interface === "Block" ? "block" : "file",
        createdAt: now,
        updatedAt: now,
      };
      return fid;
    },
    (fid, state) => shownVolume(state, fid),
  );
  return { status: 201, body: view };
};

function readVolume(state: EmulatorState, fid: string) {
  const volume = ownRecord(state.volumes, fid);
  if (!volume) throw notFound(`No volume ${show(fid)}. GET /v2/volumes?project=<project FID> lists them.`, { field: "volume_fid", value: fid });
  return volume;
}

const updateVolume: ApiHandler = async (req, { store }) => {
  const input = parseMithrilBody(updateVolumeRequest, req.body);
  const view = await store.change(
    (state, { now }) => {
      const volume = readVolume(state, req.params.fid);
      volume.name = input.name as string;
      volume.updatedAt = now;
      return volume.fid;
    },
    (fid, state) => shownVolume(state, fid),
  );
  return ok(view);
};

const deleteVolume: ApiHandler = async (req, { store }) => {
  await store.change((state) => {
    const volume = readVolume(state, req.params.fid);
    const holder = Object.values(state.bids).find((b) => isLiveBid(b) && b.volumes.includes(volume.fid));
    if (holder) {
      throw new ApiProblem(409, "CONFLICT", `Volume ${volume.fid} is attached to bid ${holder.fid} (${mithrilBidStatus(holder)}). Cancel the bid, or PATCH its volumes without this one, then delete the volume.`);
    }
    delete state.volumes[volume.fid];
  });
  return { status: 204 };
};

const listSshKeys: ApiHandler = async (req, { store }) => {
  const q = parseMithrilQuery({ project: { t: "str" } }, ["project"], req.query);
  return store.read((state) => {
    checkProject(state, "project", q.project);
    return ok(Object.values(state.sshKeys).filter((k) => k.project === q.project).map(sshKeyView));
  });
};

const createSshKey: ApiHandler = async (req, { store }) => {
  const input = parseMithrilBody(createSshKeyRequest, req.body);
  const name = input.name as string;
  const given = typeof input.public_key === "string" ? checkPublicKey(input.public_key) : undefined;
  // Generated before the change so the change itself cannot fail half way.
  const pair = given === undefined ? await generateRsaKeyPair(name) : undefined;
  const publicKey = given ?? pair?.publicKey ?? "";
  const view = await store.change(
    (state, { now, newFid }) => {
      const project = checkProject(state, "project", input.project);
      const { seq, fid: seedFid } = newFid("sshKey");
      const fid = `${SSH_KEY_PREFIX}${seedFid.slice(seedFid.indexOf("_") + 1)}`;
      state.sshKeys[fid] = { seq, fid, name, project: project.fid, publicKey, required: input.required === true, createdAt: now };
      return fid;
    },
    (fid, state) => sshKeyView(state.sshKeys[fid]),
  );
  return { status: 201, body: { ...view, private_key: pair ? pair.privateKey : null } };
};

function readSshKey(state: EmulatorState, fid: string) {
  const key = ownRecord(state.sshKeys, fid);
  if (!key) throw notFound(`No SSH key ${show(fid)}. GET /v2/ssh-keys?project=<project FID> lists them.`, { field: "ssh_key_fid", value: fid });
  return key;
}

const updateSshKey: ApiHandler = async (req, { store }) => {
  const input = parseMithrilBody(updateSshKeyRequest, req.body);
  const view = await store.change(
    (state) => {
      const key = readSshKey(state, req.params.fid);
      key.required = input.required as boolean;
      return key.fid;
    },
    (fid, state) => sshKeyView(state.sshKeys[fid]),
  );
  return ok(view);
};

const deleteSshKey: ApiHandler = async (req, { store }) => {
  await store.change((state) => {
    delete state.sshKeys[readSshKey(state, req.params.fid).fid];
  });
  return { status: 204 };
};

/**
 * Endpoints of the live OpenAPI the emulator does not model (flow-compute 3.28.2's document).
 * test/integration/emulator/mithril-dialect.test.ts checks that every path there is either served
 * or listed here.
 */
export const NOT_MODELLED: ReadonlyArray<readonly [string, string]> = [
  ["GET", "/v2/api-keys"],
  ["POST", "/v2/api-keys"],
  ["DELETE", "/v2/api-keys/{key_fid}"],
  ["GET", "/v2/me/teammates"],
  ["GET", "/v2/spot/bids/{bid_fid}/status"],
  ["GET", "/v2/spot/bids/{bid_fid}/history"],
  ["POST", "/v2/lifecycle-scripts"],
  ["GET", "/v2/lifecycle-scripts"],
  ["GET", "/v2/lifecycle-scripts/{ls_fid}/content"],
  ["PATCH", "/v2/lifecycle-scripts/{ls_fid}"],
  ["DELETE", "/v2/lifecycle-scripts/{ls_fid}"],
  ["GET", "/v2/reservation/instance-types"],
  ["GET", "/v2/reservation/quote"],
  ["GET", "/v2/reservation/availability"],
  ["POST", "/v2/reservation"],
  ["GET", "/v2/reservation/{reservation_fid}/extension-availability"],
  ["POST", "/v2/reservation/{reservation_fid}/extend"],
  ["PATCH", "/v2/reservation/{reservation_fid}"],
  ["POST", "/v2/reservation/{reservation_fid}/terminate-instances"],
  ["GET", "/v2/reservation/{reservation_fid}/history"],
  ["GET", "/v2/reservation/{reservation_fid}/usage"],
  ["GET", "/v2/organizations/{organization_id}/quotas"],
  ["GET", "/v2/pricing/history"],
  ["POST", "/v2/cpu/instances"],
  ["DELETE", "/v2/cpu/instances/{instance_fid}"],
  ["GET", "/v2/kubernetes/clusters"],
  ["POST", "/v2/kubernetes/clusters"],
  ["GET", "/v2/kubernetes/clusters/{cluster_fid}"],
  ["DELETE", "/v2/kubernetes/clusters/{cluster_fid}"],
  ["PATCH", "/v2/instances"],
  ["GET", "/v2/instances/{instance_fid}/status"],
  ["POST", "/v2/instances/{instance_fid}/refresh-boot-disk"],
  ["POST", "/v2/instances/{instance_fid}/restart"],
  ["GET", "/v2/instances/status/history"],
  ["GET", "/v2/instances/pricing/history"],
  ["GET", "/v2/image-versions"],
  ["GET", "/v2/mcc-image-versions"],
  ["GET", "/v2/quotas"],
];

export function mithrilRouter(settings: DialectSettings): Router<ApiHandler> {
  // Fixed paths before templated ones, so /v2/instances/status/history is not an instance FID.
  const router = new Router<ApiHandler>();
  for (const [method, template] of NOT_MODELLED.filter(([, t]) => !t.includes("{"))) {
    router.add(method, template, async () => {
      throw notModelled(method, template);
    });
  }
  router
    .add("GET", "/v2/me", getMe)
    .add("GET", "/v2/projects", listProjects)
    .add("GET", "/v2/instance-types", listInstanceTypes)
    .add("GET", "/v2/spot/availability", getAvailability)
    .add("GET", "/v2/pricing/current", getCurrentPrices)
    .add("GET", "/v2/reservation", listReservations)
    .add("GET", "/v2/cpu/instance-types", noCpuOfferings)
    .add("GET", "/v2/cpu/regions", noCpuOfferings)
    .add("GET", "/v2/spot/bids", listBids)
    .add("POST", "/v2/spot/bids", createBid(settings))
    .add("GET", "/v2/spot/bids/{fid}", getBid)
    .add("PATCH", "/v2/spot/bids/{fid}", updateBid)
    .add("DELETE", "/v2/spot/bids/{fid}", cancelBid)
    .add("GET", "/v2/instances", listInstances)
    .add("GET", "/v2/volumes", listVolumes)
    .add("POST", "/v2/volumes", createVolume)
    .add("PATCH", "/v2/volumes/{fid}", updateVolume)
    .add("DELETE", "/v2/volumes/{fid}", deleteVolume)
    .add("GET", "/v2/ssh-keys", listSshKeys)
    .add("POST", "/v2/ssh-keys", createSshKey)
    .add("PATCH", "/v2/ssh-keys/{fid}", updateSshKey)
    .add("DELETE", "/v2/ssh-keys/{fid}", deleteSshKey);
  for (const [method, template] of NOT_MODELLED.filter(([, t]) => t.includes("{"))) {
    router.add(method, template, async () => {
      throw notModelled(method, template);
    });
  }
  return router;
}
