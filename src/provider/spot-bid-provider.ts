// SpotBid's CRUD against FCP. Money rules: a bid is never created twice (the client finds it by
// its unique name after an ambiguous failure), never left untracked (an accepted bid that does
// not become ready is reported with its id, so it stays in the stack), and a delete counts only
// once its instances are gone.
import type * as pulumi from "@pulumi/pulumi";
import { FlowError, ResourceNotFoundError, ValidationError } from "../fcp-api/errors";
import type { Bid, Instance, InstanceType } from "../fcp-api/models";
import { formatPrice, parsePriceCents } from "../fcp-api/price";
import { TERMINAL_BID_STATUSES } from "../fcp-api/schemas/status";
import { canonicalInstanceTypeKey } from "../fcp-api/instance-types";
import { sameSet } from "../util/same-set";
import { autoName } from "./auto-name";
import { isUnknown, UNKNOWN, zodFailures } from "./check-failures";
import { ResourceInitError } from "./init-error";
import { plainJson } from "./plain-json";
import { withoutKeys, type Props } from "./props";
import { defaultRegion, endpointOf, connectionFor, type FcpConnection } from "./settings";
import {
  SPOT_BID_LOCAL_KEYS,
  SPOT_BID_REPLACE_KEYS,
  SPOT_BID_UPDATE_KEYS,
  spotBidInputsSchema,
  type KnownSpotBidInputs,
} from "./spot-bid-inputs";


export async function check(olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
  const parsed = spotBidInputsSchema.safeParse(withoutKeys(news, OUTPUT_KEYS));
  if (!parsed.success) return { inputs: news, failures: zodFailures(parsed.error, news) };
  const inputs: Props = { ...parsed.data };
  inputs.name = autoName(parsed.data.resourceName, parsed.data.name, olds) ?? UNKNOWN;
  inputs.region = parsed.data.region ?? defaultRegion();
  if (inputs.region === undefined) {
    return {
      inputs: news,
      failures: [{ property: "region", reason: "No region given: set `region`, or `pulumi config set fcp:region us-central1-b`." }],
    };
  }
  return { inputs: withoutKeys(inputs, []) };
}

export async function diff(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> {
  const replaces: string[] = [];
  let changes = false;
  for (const key of SPOT_BID_REPLACE_KEYS) {
    if (!sameValue(key, olds, news)) replaces.push(key);
  }
  for (const key of [...SPOT_BID_UPDATE_KEYS, ...SPOT_BID_LOCAL_KEYS]) {
    if (!sameValue(key, olds, news)) changes = true;
  }
  return { changes: changes || replaces.length > 0, replaces };
}

export async function create(inputs: Props): Promise<pulumi.dynamic.CreateResult> {
  const args = known(inputs);
  const settings = connectionFor(args);
  const { client } = settings;
  const instanceType = await resolveType(settings, args);
  const accepted = args.adoptId
    ? await adopt(settings, args, instanceType)
    : await client.createBid({
        name: args.name,
        instanceType: instanceType.fid,
        region: args.region,
        limitPrice: args.limitPrice,
        instanceQuantity: args.instanceQuantity,
        sshKeys: args.sshKeyIds,
        volumes: args.volumeIds,
        startupScript: args.startupScript,
      });
  // From here on the bid exists and costs money: whatever fails, report it with its id.
  return keepTracked(accepted, inputs, instanceType, async () => {
    const current = args.paused && !args.adoptId ? await client.updateBid(accepted.fid, { paused: true }) : accepted;
    const ready = await waitReady(settings, current, args, inputs, instanceType);
    return { id: accepted.fid, outs: outputs(inputs, ready.bid, ready.instances, instanceType) };
  });
}

export async function update(id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> {
  const args = known(news);
  const settings = connectionFor(args);
  const { client } = settings;
  const patch: { limitPrice?: string; paused?: boolean } = {};
  if (!sameValue("limitPrice", olds, news)) patch.limitPrice = args.limitPrice;
  if (olds.paused !== news.paused) patch.paused = args.paused;
  const bid = Object.keys(patch).length ? await client.updateBid(id, patch) : await client.getBid(id, { maxAgeMs: 0 });
  const instanceType = typeFromOutputs(olds, bid);
  // Also the retry of a bid whose create reported it not ready: wait for it again.
  const ready = await waitReady(settings, bid, args, news, instanceType);
  return { outs: outputs(news, ready.bid, ready.instances, instanceType) };
}

export async function read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
  const settings = connectionFor(endpointOf(props));
  let bid: Bid;
  try {
    bid = await settings.client.getBid(id, { maxAgeMs: 0 });
  } catch (e) {
    if (e instanceof ResourceNotFoundError) return {};
    throw e;
  }
  if (TERMINAL_BID_STATUSES.includes(bid.status)) return {};
  const instances = await instancesOf(settings, id);
  return { id, props: outputs(props, bid, instances, typeFromOutputs(props, bid)) };
}

export async function remove(id: string, props: Props): Promise<void> {
  const settings = connectionFor(endpointOf(props));
  await settings.client.cancelBid(id);
  // Cancelled is not gone: the bill stops when the instances are terminated.
  const deadlineMs = 10 * 60_000;
  const live = (s: { instances: Instance[] } | undefined) => (s?.instances ?? []).filter((i) => i.status !== "terminated");
  let outcome: { done: boolean; snapshot?: { instances: Instance[] } };
  try {
    outcome = await settings.client.waitForBid(id, { deadlineMs, until: (s) => live(s).length === 0 });
  } catch (e) {
    // A bid no longer listed has no instances left to bill.
    if (e instanceof ResourceNotFoundError) return;
    throw e;
  }
  if (!outcome.done) {
    const running = live(outcome.snapshot);
    throw new FlowError(
      `Bid ${id} is cancelled but ${running.length} instance(s) still run after ${deadlineMs / 60_000} minutes: ${running
        .map((i) => `${i.fid} (${i.status})`)
        .join(", ")}.`,
      { suggestions: ["Run `pulumi destroy` again to re-check, or contact FCP support if they keep running."] },
    );
  }
}

// --- helpers ------------------------------------------------------------------------------------

/** The type named, or for `minGpuMemoryGb` the cheapest on offer under the limit price. */
async function resolveType(settings: FcpConnection, args: KnownSpotBidInputs): Promise<InstanceType> {
  if (args.instanceType !== undefined) return settings.client.resolveInstanceType(args.instanceType);
  const selection = await settings.client.selectInstanceType({
    minGpuMemoryGb: args.minGpuMemoryGb!,
    maxPriceCents: parsePriceCents(args.limitPrice, "limitPrice"),
    region: args.region,
  });
  return selection.instanceType;
}

async function adopt(settings: FcpConnection, args: KnownSpotBidInputs, instanceType: InstanceType): Promise<Bid> {
  const bid = await settings.client.getBid(args.adoptId!, { maxAgeMs: 0 });
  const problems: string[] = [];
  if (TERMINAL_BID_STATUSES.includes(bid.status)) problems.push(`it is ${bid.status}`);
  if (bid.instanceType !== instanceType.fid) problems.push(`its instance type is ${bid.instanceType}, not ${instanceType.fid} (${instanceType.name})`);
  if (bid.region && bid.region !== args.region) problems.push(`its region is ${bid.region}, not ${args.region}`);
  if (bid.instanceQuantity !== args.instanceQuantity) problems.push(`it has ${bid.instanceQuantity} instance(s), not ${args.instanceQuantity}`);
  // The project's required keys are on every bid; they are not the program's to list.
  const required = await settings.client.requiredSshKeys({ project: args.project });
  const expectedKeys = [...new Set([...args.sshKeyIds, ...required])];
  if (!sameSet(bid.sshKeys, expectedKeys) && !sameSet(bid.sshKeys, args.sshKeyIds)) {
    problems.push(`its SSH keys are [${bid.sshKeys.join(", ")}], not [${expectedKeys.join(", ")}]`);
  }
  if (!sameSet(bid.volumes, args.volumeIds)) problems.push(`its volumes are [${bid.volumes.join(", ")}], not [${args.volumeIds.join(", ")}]`);
  if (bid.startupScript !== undefined && bid.startupScript !== args.startupScript) problems.push("its startup script differs");
  if (problems.length) {
    throw new ValidationError(`Cannot adopt bid ${args.adoptId}: ${problems.join("; ")}.`, {
      field: "adoptId",
      suggestions: ["Change the SpotBid's inputs to match the existing bid, or drop adoptId to create a new one."],
    });
  }
  const patch: { limitPrice?: string; paused?: boolean } = {};
  if (bid.limitPrice !== args.limitPrice) patch.limitPrice = args.limitPrice;
  if (bid.paused !== args.paused) patch.paused = args.paused;
  return Object.keys(patch).length ? settings.client.updateBid(bid.fid, patch) : bid;
}

async function waitReady(
  settings: FcpConnection,
  created: Bid,
  args: KnownSpotBidInputs,
  inputs: Props,
  instanceType: Pick<InstanceType, "fid" | "name">,
): Promise<{ bid: Bid; instances: Instance[] }> {
  if (args.waitFor === "none" || args.paused) return { bid: created, instances: [] };
  let sawAllocated = false;
  const isFailed = (bid: Bid) => TERMINAL_BID_STATUSES.includes(bid.status) || (sawAllocated && bid.status === "pending");
  // One poller serves every bid this plugin waits for: a round is one bid listing and one
  // instance listing, whatever the number of bids (fcp-client/bid-poller.ts).
  const outcome = await settings.client.waitForBid(created.fid, {
    deadlineMs: args.readyTimeoutMinutes * 60_000,
    until: ({ bid, instances }) => {
      const allocated = ["allocated", "running"].includes(bid.status) && instances.length >= args.instanceQuantity;
      // Back to pending after the auction gave it instances: preempted by a price rise.
      const failed = isFailed(bid);
      sawAllocated ||= ["provisioning", "allocated", "running"].includes(bid.status);
      return failed || (args.waitFor === "allocated" ? allocated : countsAsRunning(settings, bid, instances) && allocated);
    },
  });
  const last = outcome.snapshot ?? { bid: created, instances: [] };
  const failed = isFailed(last.bid);
  const { bid, instances } = last;
  if (outcome.done && !failed) return { bid, instances };
  const why = failed
    ? bid.status === "pending"
      ? `was preempted while starting (the spot price rose above its limit ${args.limitPrice})`
      : `ended as ${bid.status}`
    : `is still ${bid.status} after ${args.readyTimeoutMinutes} minutes (waiting for ${args.waitFor})`;
  throw initFailure(`Bid ${bid.fid} (${args.name}) ${why}.`, bid, instances, inputs, instanceType, [
    "Check the market with the spot availability, raise limitPrice, or increase readyTimeoutMinutes.",
  ]);
}

/**
 * The seed reports a started bid as `running`. The live service has no such bid status: its bids
 * stay `Allocated`, so there a bid whose instances all run counts as running.
 */
function countsAsRunning(settings: FcpConnection, bid: Bid, instances: Instance[]): boolean {
  if (bid.status === "running") return true;
  return (
    settings.client.dialect === "mithril" &&
    bid.status === "allocated" &&
    instances.length >= bid.instanceQuantity &&
    instances.every((i) => i.status === "running")
  );
}

/** Runs what follows an accepted create; any failure becomes an initialization failure with the id. */
async function keepTracked<T>(bid: Bid, inputs: Props, instanceType: Pick<InstanceType, "fid" | "name">, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (e) {
    if (e instanceof ResourceInitError) throw e;
    const message = e instanceof Error ? e.message : String(e);
    throw initFailure(`Bid ${bid.fid} was created, but then: ${message}`, bid, [], inputs, instanceType, []);
  }
}

/**
 * The error that keeps an accepted bid in the stack. Its properties become the resource's
 * outputs, so they carry `__provider`: without it, destroy could not load the provider.
 */
function initFailure(
  message: string,
  bid: Bid,
  instances: Instance[],
  inputs: Props,
  instanceType: Pick<InstanceType, "fid" | "name">,
  suggestions: string[],
): ResourceInitError {
  const properties = { ...outputs(inputs, bid, instances, instanceType), __provider: inputs.__provider };
  return new ResourceInitError(message, bid.fid, properties, {
    suggestions: ["The bid stays in the stack: `pulumi up` checks it again, `pulumi destroy` cancels it.", ...suggestions],
  });
}

async function instancesOf(settings: FcpConnection, bidId: string): Promise<Instance[]> {
  const all = await settings.client.listInstances({ bid: bidId });
  return all.filter((i) => i.bid === undefined || i.bid === bidId).sort((a, b) => a.fid.localeCompare(b.fid));
}

function outputs(inputs: Props, bid: Bid, instances: Instance[], instanceType: Pick<InstanceType, "fid" | "name">): Props {
  const limitCents = bid.limitPriceCents ?? parsePriceCents(inputs.limitPrice, "limitPrice");
  const live = instances.filter((i) => i.status !== "terminated");
  return plainJson({
    ...withoutKeys(inputs, ["__provider"]),
    bidId: bid.fid,
    status: bid.status,
    paused: bid.paused,
    instanceTypeFid: instanceType.fid,
    instanceTypeName: instanceType.name,
    limitPrice: formatPrice(limitCents),
    hourlyCost: formatPrice(limitCents * bid.instanceQuantity),
    instances: live.map((i) => ({ id: i.fid, status: i.status, sshHost: i.sshHost, sshPort: i.sshPort, privateIp: i.privateIp })),
    sshHosts: live.filter((i) => i.sshHost).map((i) => `${i.sshHost}:${i.sshPort ?? 22}`),
    // Keys on the bid that the program did not list: the project's required keys.
    requiredSshKeys: bid.sshKeys.filter((k) => !knownStrings(inputs.sshKeyIds).includes(k)),
    createdAt: bid.createdAt ?? "",
  });
}

function typeFromOutputs(props: Props, bid: Bid): Pick<InstanceType, "fid" | "name"> {
  return {
    fid: typeof props.instanceTypeFid === "string" ? props.instanceTypeFid : bid.instanceType,
    name: typeof props.instanceTypeName === "string" ? props.instanceTypeName : bid.instanceType,
  };
}

function known(inputs: Props): KnownSpotBidInputs {
  const parsed = spotBidInputsSchema.safeParse(withoutKeys(inputs, OUTPUT_KEYS));
  if (!parsed.success || Object.values(parsed.data).some(isUnknown)) {
    throw new ValidationError(`SpotBid inputs are not valid at apply time: ${parsed.error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") ?? "an input is unknown"}.`);
  }
  return parsed.data as KnownSpotBidInputs;
}

const OUTPUT_KEYS = ["bidId", "status", "instanceTypeFid", "instanceTypeName", "hourlyCost", "instances", "sshHosts", "requiredSshKeys", "createdAt", "__provider"];

function knownStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function sameValue(key: string, olds: Props, news: Props): boolean {
  const a = olds[key];
  const b = news[key];
  if (isUnknown(b)) return false;
  if (key === "instanceType" && typeof a === "string" && typeof b === "string") return sameInstanceType(a, b, olds);
  if (key === "limitPrice") return samePrice(a, b);
  if ((key === "sshKeyIds" || key === "volumeIds") && Array.isArray(a) && Array.isArray(b)) return sameSet(a as string[], b as string[]);
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function sameInstanceType(old: string, next: string, olds: Props): boolean {
  if (old === next || next === olds.instanceTypeFid) return true;
  try {
    return canonicalInstanceTypeKey(old) === canonicalInstanceTypeKey(next);
  } catch {
    return false;
  }
}

function samePrice(a: unknown, b: unknown): boolean {
  try {
    return parsePriceCents(a) === parsePriceCents(b);
  } catch {
    return a === b;
  }
}
