// Volume's CRUD. Deleting a volume that a live bid still uses waits (bounded) for that bid to
// go, or fails naming it: the stack never believes a volume is gone while it exists.
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { APIError, FlowError, ValidationError } from "../fcp-api/errors";
import type { Volume } from "../fcp-api/models";
import { TERMINAL_BID_STATUSES } from "../fcp-api/schemas/status";
import { autoName } from "./auto-name";
import { isUnknown, orUnknown, UNKNOWN, zodFailures } from "./check-failures";
import { plainJson } from "./plain-json";
import { withoutKeys, type Props } from "./props";
import { defaultRegion, endpointOf, connectionFor, type FcpConnection } from "./settings";
import { pollUntil } from "./wait";


const volumeInputsSchema = z.object({
  resourceName: z.string().min(1),
  name: orUnknown(z.string().min(1).max(128)).optional(),
  sizeGb: orUnknown(z.number().int("sizeGb must be a whole number of GB").min(1).max(16_384)),
  interface: orUnknown(z.enum(["block", "file"])).default("block"),
  region: orUnknown(z.string().min(1)).optional(),
  detachTimeoutMinutes: z.number().positive().max(24 * 60).default(10),
  adoptId: orUnknown(z.string().min(1)).optional(),
  apiUrl: orUnknown(z.string().url()).optional(),
  project: orUnknown(z.string().min(1)).optional(),
});
type VolumeInputs = {
  resourceName: string;
  name: string;
  sizeGb: number;
  interface: "block" | "file";
  region: string;
  detachTimeoutMinutes: number;
  adoptId?: string;
  apiUrl?: string;
  project?: string;
};

const REPLACE_KEYS = ["name", "sizeGb", "interface", "region", "apiUrl", "project"] as const;
const OUTPUT_KEYS = ["volumeId", "status", "attachedTo", "__provider"];

export async function check(olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
  const parsed = volumeInputsSchema.safeParse(withoutKeys(news, OUTPUT_KEYS));
  if (!parsed.success) return { inputs: news, failures: zodFailures(parsed.error, news) };
  const region = parsed.data.region ?? defaultRegion();
  if (region === undefined) {
    return { inputs: news, failures: [{ property: "region", reason: "No region given: set `region`, or `pulumi config set fcp:region ...`." }] };
  }
  const name = autoName(parsed.data.resourceName, parsed.data.name, olds) ?? UNKNOWN;
  return { inputs: plainJson({ ...parsed.data, name, region }) };
}

export async function diff(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> {
  const replaces = REPLACE_KEYS.filter((k) => isUnknown(news[k]) || JSON.stringify(olds[k] ?? null) !== JSON.stringify(news[k] ?? null));
  const changes = replaces.length > 0 || olds.detachTimeoutMinutes !== news.detachTimeoutMinutes || olds.adoptId !== news.adoptId;
  return { changes, replaces: [...replaces] };
}

export async function create(inputs: Props): Promise<pulumi.dynamic.CreateResult> {
  const args = known(inputs);
  const settings = connectionFor(args);
  let volume: Volume;
  if (args.adoptId) {
    volume = await find(settings, args.adoptId);
    const problems: string[] = [];
    if (volume.sizeGb !== args.sizeGb) problems.push(`its size is ${volume.sizeGb} GB, not ${args.sizeGb}`);
    if (volume.interface !== args.interface) problems.push(`its interface is ${volume.interface}, not ${args.interface}`);
    if (volume.region && volume.region !== args.region) problems.push(`its region is ${volume.region}, not ${args.region}`);
    if (problems.length) {
      throw new ValidationError(`Cannot adopt volume ${args.adoptId}: ${problems.join("; ")}.`, {
        field: "adoptId",
        suggestions: ["Change the Volume's inputs to match, or drop adoptId to create a new volume."],
      });
    }
  } else {
    volume = await settings.client.createVolume({ name: args.name, sizeGb: args.sizeGb, interface: args.interface, region: args.region });
  }
  return { id: volume.fid, outs: outputs(inputs, volume) };
}

export async function update(id: string, _olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> {
  const volume = await find(connectionFor(known(news)), id);
  return { outs: outputs(news, volume) };
}

export async function read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
  const settings = connectionFor(endpointOf(props));
  const volume = (await settings.client.listVolumes()).find((v) => v.fid === id);
  if (!volume || volume.status === "deleted") return {};
  return { id, props: outputs(props, volume) };
}

export async function remove(id: string, props: Props): Promise<void> {
  const settings = connectionFor(endpointOf(props));
  const timeoutMinutes = typeof props.detachTimeoutMinutes === "number" ? props.detachTimeoutMinutes : 10;
  const outcome = await pollUntil(async () => {
    const users = await liveBidsUsing(settings, id);
    if (users.length) return { done: false, value: users };
    try {
      await settings.client.deleteVolume(id);
      return { done: true, value: [] };
    } catch (e) {
      // A bid released between our look and the DELETE: look again.
      if (e instanceof APIError && (e.statusCode === 409 || e.statusCode === 422)) return { done: false, value: await liveBidsUsing(settings, id) };
      throw e;
    }
  }, timeoutMinutes * 60_000);
  if (!outcome.done) {
    const names = outcome.value.map((b) => `${b.fid}${b.name ? ` (${b.name})` : ""}`).join(", ");
    throw new FlowError(`Volume ${id} is still attached to bid ${names || "(unknown)"} after ${timeoutMinutes} minutes, so it was not deleted.`, {
      suggestions: [
        "Cancel that bid first (remove its SpotBid, or `pulumi destroy` the stack that owns it), then run again.",
        "Or raise detachTimeoutMinutes.",
      ],
    });
  }
}

async function liveBidsUsing(settings: FcpConnection, volumeId: string) {
  const bids = await settings.client.listBids();
  return bids.filter((b) => b.volumes.includes(volumeId) && !TERMINAL_BID_STATUSES.includes(b.status));
}

async function find(settings: FcpConnection, id: string): Promise<Volume> {
  const volume = (await settings.client.listVolumes()).find((v) => v.fid === id);
  if (!volume) {
    throw new ValidationError(`Volume ${id} does not exist in project ${settings.project}.`, {
      field: "adoptId",
      suggestions: ["Check the id with `GET /v2/volumes`, or drop adoptId."],
    });
  }
  return volume;
}

function outputs(inputs: Props, volume: Volume): Props {
  return plainJson({ ...withoutKeys(inputs, ["__provider"]), volumeId: volume.fid, status: volume.status, attachedTo: volume.attachedTo });
}

function known(inputs: Props): VolumeInputs {
  const parsed = volumeInputsSchema.safeParse(withoutKeys(inputs, OUTPUT_KEYS));
  if (!parsed.success || Object.values(parsed.data).some(isUnknown)) {
    throw new ValidationError("Volume inputs are not valid at apply time.", { field: "sizeGb" });
  }
  return parsed.data as VolumeInputs;
}
