// Request shapes per dialect. The seed (FCP v2 reference) and the live Mithril OpenAPI name the
// same things differently; each builder here takes the dialect and returns exactly one shape, so
// a request is never a guess that happens to work on both.
import { ValidationError } from "../fcp-api/errors";
import type { BidStatus, InstanceStatus, VolumeInterface } from "../fcp-api/models";
import { createVolumeRequestWire, MITHRIL_VOLUME_NAME_MAX, MITHRIL_VOLUME_NAME_PATTERN } from "../fcp-api/schemas/volume";
import type { Dialect } from "./dialect";

type Query = Record<string, string | number | boolean | undefined>;

/** The live service caps `limit` of paginated listings at 100 (OpenAPI: `maximum: 100`). */
export const MITHRIL_MAX_PAGE_SIZE = 100;

export interface BidLaunchFields {
  sshKeys: string[];
  startupScript: string;
  volumes: string[];
}

export interface BidCoreFields {
  project: string;
  region: string;
  instanceType: string;
  limitPrice: string;
  instanceQuantity: number;
  name: string;
}

/** `POST /v2/spot/bids`: the seed has the launch fields at the top level, the live service nests them. */
export function createBidBody(dialect: Dialect, core: BidCoreFields, launch: BidLaunchFields): Record<string, unknown> {
  const common = {
    project: core.project,
    region: core.region,
    instance_type: core.instanceType,
    limit_price: core.limitPrice,
    instance_quantity: core.instanceQuantity,
    name: core.name,
  };
  if (dialect === "mithril") {
    return {
      ...common,
      launch_specification: { ssh_keys: launch.sshKeys, startup_script: launch.startupScript, volumes: launch.volumes },
    };
  }
  return { ...common, ssh_keys: launch.sshKeys, startup_script: launch.startupScript, volumes: launch.volumes };
}

/** `PATCH /v2/spot/bids/{fid}`. Only the live service takes `volumes`; the seed is told so here. */
export function updateBidBody(dialect: Dialect, patch: { limitPrice?: string; paused?: boolean; volumes?: string[] }): Record<string, unknown> {
  if (patch.volumes !== undefined && dialect !== "mithril") {
    throw new ValidationError("Changing a bid's volumes in place needs the live (mithril) API; the FCP v2 reference only changes limit_price and paused.", {
      field: "volumes",
      suggestions: ["Set dialect to mithril (FCP_DIALECT=mithril) when talking to the live service, or replace the bid to change its volumes."],
    });
  }
  const body: Record<string, unknown> = {};
  if (patch.limitPrice !== undefined) body.limit_price = patch.limitPrice;
  if (patch.paused !== undefined) body.paused = patch.paused;
  if (patch.volumes !== undefined) body.volumes = patch.volumes;
  return body;
}

/** Bid status → the live service's status filter value (its enum is capitalised). */
const MITHRIL_BID_STATUS: Partial<Record<BidStatus, string>> = {
  pending: "Open",
  allocated: "Allocated",
  preempting: "Preempting",
  paused: "Paused",
  terminated: "Terminated",
};

export interface BidListFilter {
  project?: string;
  instanceType?: string;
  region?: string;
  status?: BidStatus;
  pageSize?: number;
}

/**
 * `GET /v2/spot/bids` query. A status the live enum cannot express exactly (e.g. `running`) is
 * not sent; the client filters every listing by status itself, so the answer is right either way.
 */
export function bidListQuery(dialect: Dialect, f: BidListFilter): Query {
  const status = f.status === undefined ? undefined : dialect === "mithril" ? MITHRIL_BID_STATUS[f.status] : f.status;
  return { project: f.project, instance_type: f.instanceType, region: f.region, status, limit: pageSize(dialect, f.pageSize) };
}

/** Instance status → the live service's `status_in` values. */
const MITHRIL_INSTANCE_STATUS: Partial<Record<InstanceStatus, readonly string[]>> = {
  pending: ["STATUS_NEW", "STATUS_CONFIRMED", "STATUS_INITIALIZING"],
  starting: ["STATUS_STARTING"],
  running: ["STATUS_RUNNING"],
  stopping: ["STATUS_STOPPING"],
  preempting: ["STATUS_PREEMPTING"],
  preempted: ["STATUS_PREEMPTED"],
  terminated: ["STATUS_TERMINATED", "STATUS_REPLACED"],
  failed: ["STATUS_ERROR"],
};

export interface InstanceListFilter extends BidListFilter {
  bid?: string;
  instanceStatus?: InstanceStatus;
}

/**
 * `GET /v2/instances` query: the seed filters with `bid` and `status`; the live service with
 * `bid_fid_in` and `status_in` (comma-separated, as its own client sends them). The client also
 * filters the answer, so a server that ignores a filter still gives the right result.
 */
export function instanceListQuery(dialect: Dialect, f: InstanceListFilter): Query {
  const common = { project: f.project, instance_type: f.instanceType, region: f.region, limit: pageSize(dialect, f.pageSize) };
  if (dialect === "mithril") {
    const statuses = f.instanceStatus === undefined ? undefined : MITHRIL_INSTANCE_STATUS[f.instanceStatus];
    return { ...common, bid_fid_in: f.bid, status_in: statuses?.join(",") };
  }
  return { ...common, bid: f.bid, status: f.instanceStatus };
}

export interface VolumeFields {
  name: string;
  sizeGb: number;
  interface: VolumeInterface;
  project: string;
  region: string;
}

/**
 * `POST /v2/volumes`: the seed says `interface: block|file`, the live service
 * `disk_interface: Block|File` and a DNS-label name, which is checked here, before sending.
 */
export function createVolumeBody(dialect: Dialect, v: VolumeFields): Record<string, unknown> {
  // The limits both share (size, the seed's name length) are checked first.
  const seedShape = { name: v.name, size_gb: v.sizeGb, interface: v.interface, project: v.project, region: v.region };
  const checked = createVolumeRequestWire.safeParse(seedShape);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new ValidationError(`Invalid volume ${issue.path.join(".") || "request"}: ${issue.message}.`, { field: String(issue.path[0] ?? "volume") });
  }
  if (dialect !== "mithril") return seedShape;
  checkMithrilVolumeName(v.name);
  return { name: v.name, project: v.project, disk_interface: v.interface === "file" ? "File" : "Block", region: v.region, size_gb: v.sizeGb };
}

/** The live service's volume name rule (OpenAPI `CreateVolumeRequest.name`). */
export function checkMithrilVolumeName(name: string): void {
  if (name.length <= MITHRIL_VOLUME_NAME_MAX && MITHRIL_VOLUME_NAME_PATTERN.test(name)) return;
  const suggestion = suggestVolumeName(name);
  throw new ValidationError(
    `Volume name ${JSON.stringify(name)} is not accepted by the live FCP (Mithril) API: use at most ${MITHRIL_VOLUME_NAME_MAX} characters of lowercase letters, digits and '-', starting with a letter and not ending with '-'.`,
    {
      field: "name",
      errorCode: "INVALID_VOLUME_NAME",
      suggestions: suggestion ? [`For example ${JSON.stringify(suggestion)}.`] : ["Start the name with a lowercase letter."],
    },
  );
}

function suggestVolumeName(name: string): string | undefined {
  const s = name
    .toLowerCase()
    .replace(/[^-a-z0-9]+/g, "-")
    .replace(/^[^a-z]+/, "")
    .slice(0, MITHRIL_VOLUME_NAME_MAX)
    .replace(/-+$/, "");
  return s && MITHRIL_VOLUME_NAME_PATTERN.test(s) ? s : undefined;
}

function pageSize(dialect: Dialect, wanted: number | undefined): number | undefined {
  if (wanted === undefined) return undefined;
  return dialect === "mithril" ? Math.min(Math.max(1, wanted), MITHRIL_MAX_PAGE_SIZE) : wanted;
}
