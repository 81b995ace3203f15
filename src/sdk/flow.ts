// The imperative SDK: `new Flow().run(config)` submits a task the way the `Task` construct does
// (same TaskConfig, startup script builder, key generation and create-safely bid), and
// `get(nameOrId)` finds it again later, from any process on this machine.
import { randomBytes } from "node:crypto";
import * as path from "node:path";
import { homedir } from "node:os";
import { FlowError, BidNotFoundError, ValidationError } from "../fcp-api/errors";
import type { Bid, InstanceType, Volume } from "../fcp-api/models";
import { TERMINAL_BID_STATUSES } from "../fcp-api/schemas/status";
import { FcpClient } from "../fcp-client/client";
import { loadConfig, requireApiKey, type FlowConfigInput } from "../fcp-client/config";
import { levenshtein } from "../resources/task-config/edit-distance";
import { isExistingVolume, parseTaskConfig, type TaskConfig } from "../resources/task-config";
import { taskStartupSpec, type MountedVolume } from "../resources/task-startup-spec";
import { generateEd25519KeyPair } from "../ssh/generate-key-pair";
import { buildStartupScript } from "../startup/build-startup-script";
import { packageCode } from "../startup/package-code";
import { KeyStore } from "./key-store";
import { TaskHandle } from "./task-handle";

export interface FlowOptions extends FlowConfigInput {
  /** Home directory for ~/.flow (config, credentials, keys). @default - os.homedir() */
  homeDir?: string;
  /** An FcpClient to use instead of one built from the config. */
  client?: FcpClient;
  /** @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface CatalogEntry {
  instanceType: string;
  fid: string;
  gpuType?: string;
  numGpus: number;
  gpuMemoryGb?: number;
  region: string;
  /** The last clearing price per instance-hour, `"$X.XX"`. */
  spotPrice: string;
  spotPriceCents: number;
  capacity: number;
}

/** `run` accepts what `parseTaskConfig` accepts (camelCase or the seed's snake_case), or a parsed TaskConfig. */
export type RunConfig = Record<string, unknown> | TaskConfig;

export class Flow {
  readonly client: FcpClient;
  private readonly keys: KeyStore;
  private readonly apiKey: string;

  constructor(options: FlowOptions = {}) {
    const home = options.homeDir ?? homedir();
    const { homeDir: _h, client, env, ...explicit } = options;
    const config = loadConfig(explicit, { homeDir: home, env });
    this.apiKey = requireApiKey(config);
    this.client =
      client ??
      new FcpClient({ apiKey: this.apiKey, apiUrl: config.apiUrl, project: config.project, region: config.region, homeDir: home, env: env ?? process.env });
    this.keys = new KeyStore(home);
  }

  /** Submits a task and returns its handle (pending: use `wait()`). */
  async run(input: RunConfig): Promise<TaskHandle> {
    const config = isParsed(input) ? input : parseTaskConfig(input);
    const region = config.region ?? this.client.region;
    if (!region) {
      throw new ValidationError("The task has no region.", { field: "region", suggestions: ["Set region in the task, or FCP_REGION, or `region:` in ~/.flow/config.yaml (flow init)."] });
    }
    const clash = (await this.client.listBids()).filter((b) => b.name === config.name && !TERMINAL_BID_STATUSES.includes(b.status));
    if (clash.length) {
      throw new ValidationError(`A task named ${config.name} is already active (${clash.map((b) => `${b.fid} ${b.status}`).join(", ")}).`, {
        field: "name",
        suggestions: [`Pick another name, or cancel it first: flow cancel ${clash[0].fid}`],
      });
    }
    const code = config.uploadCode ? await packageCode(path.resolve(config.codeDir ?? process.cwd())) : undefined;
    const created: { keys: string[]; volumes: string[] } = { keys: [], volumes: [] };
    try {
      let sshKeys = config.sshKeys;
      if (!sshKeys?.length) {
        const pair = generateEd25519KeyPair(`flow-${config.name}`);
        const key = await this.client.createSshKey({ name: `flow-${config.name}-${randomBytes(3).toString("hex")}`, publicKey: pair.publicKey });
        created.keys.push(key.fid);
        this.keys.save(key.fid, pair.privateKey);
        sshKeys = [key.fid];
      }
      const mounted = await this.mountVolumes(config, region, created);
      const script = buildStartupScript(taskStartupSpec(config, config.env, mounted, code), { secrets: [this.apiKey] });
      const instanceType = config.instanceType ?? (await this.selectType(config, region)).fid;
      const bid = await this.client.createBid({
        name: config.name,
        region,
        instanceType,
        limitPriceCents: config.maxPricePerHourCents,
        instanceQuantity: config.numInstances,
        sshKeys,
        volumes: mounted.map((v) => v.volumeId),
        startupScript: script.script,
      });
      const handle = new TaskHandle(this.client, this.keys, bid);
      const port = Number(config.env?.MASTER_PORT);
      if (Number.isInteger(port) && port > 0 && port < 65_536) handle.masterPort = port;
      return handle;
    } catch (e) {
      // Only a create that definitely failed cleans up; an ambiguous one may have made the bid.
      if (!(e instanceof FlowError && e.errorCode === "AMBIGUOUS_CREATE")) await this.cleanUp(created);
      throw e;
    }
  }

  /** Every task (bid) of the project, newest first, each refreshed. */
  async list(options: { refresh?: boolean } = {}): Promise<TaskHandle[]> {
    const bids = (await this.client.listBids()).sort((a, b) => (b.createdAt ?? "").localeCompare(a.createdAt ?? ""));
    const handles = bids.map((b) => new TaskHandle(this.client, this.keys, b));
    if (options.refresh ?? true) await Promise.all(handles.map((h) => h.refresh()));
    return handles;
  }

  /**
   * A task by bid id or name. Of several bids with one name the single active one is chosen;
   * otherwise the name is refused with the candidates listed.
   */
  async get(nameOrId: string): Promise<TaskHandle> {
    const bids = await this.client.listBids();
    const bid = resolveTask(nameOrId, bids);
    const handle = new TaskHandle(this.client, this.keys, bid);
    await handle.refresh();
    return handle;
  }

  /** Instance types × regions with the current spot price and capacity. */
  async catalog(): Promise<CatalogEntry[]> {
    const [types, auctions] = await Promise.all([this.client.getInstanceTypeCatalog(), this.client.getSpotAvailability()]);
    const byFid = new Map<string, InstanceType>(types.map((t) => [t.fid, t]));
    return auctions.map((a) => {
      const t = byFid.get(a.instanceType);
      return {
        instanceType: t?.name ?? a.instanceType,
        fid: a.instanceType,
        gpuType: t?.gpuType,
        numGpus: t?.numGpus ?? 0,
        gpuMemoryGb: t?.gpuMemoryGb,
        region: a.region,
        spotPrice: a.lastInstancePrice,
        spotPriceCents: a.lastInstancePriceCents,
        capacity: a.capacity,
      };
    });
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private async selectType(config: TaskConfig, region: string): Promise<InstanceType> {
    const selection = await this.client.selectInstanceType({ minGpuMemoryGb: config.minGpuMemoryGb!, maxPriceCents: config.maxPricePerHourCents, region });
    return selection.instanceType;
  }

  private async mountVolumes(config: TaskConfig, region: string, created: { volumes: string[] }): Promise<MountedVolume[]> {
    let existing: Volume[] | undefined;
    const out: MountedVolume[] = [];
    for (const [i, v] of config.volumes.entries()) {
      if (isExistingVolume(v)) {
        existing ??= await this.client.listVolumes();
        const found = existing.find((x) => x.fid === v.volumeId);
        if (!found) throw new ValidationError(`Volume ${v.volumeId} does not exist.`, { field: `volumes[${i}].volume_id`, suggestions: ["See `flow volumes list`."] });
        out.push({ volumeId: found.fid, mountPath: v.mountPath, interface: found.interface });
      } else {
        const vol = await this.client.createVolume({ name: v.name ?? `${config.name}-vol-${i}`, sizeGb: v.sizeGb, interface: v.interface, region });
        created.volumes.push(vol.fid);
        out.push({ volumeId: vol.fid, mountPath: v.mountPath, interface: vol.interface });
      }
    }
    return out;
  }

  private async cleanUp(created: { keys: string[]; volumes: string[] }): Promise<void> {
    for (const fid of created.keys) {
      await this.client.deleteSshKey(fid).catch(() => undefined);
      this.keys.remove(fid);
    }
    for (const fid of created.volumes) await this.client.deleteVolume(fid).catch(() => undefined);
  }
}

/** Bid id or name → the bid; ambiguous names refused with candidates, unknown ones with near names. */
export function resolveTask(nameOrId: string, bids: readonly Bid[]): Bid {
  const byId = bids.find((b) => b.fid === nameOrId);
  if (byId) return byId;
  // A Pulumi `Task` named N names its bid `N-bid-<8 hex>` (auto-naming): the task name finds it too.
  const exact = bids.filter((b) => b.name === nameOrId);
  const named = exact.length ? exact : bids.filter((b) => b.name !== undefined && isPulumiTaskBidName(b.name, nameOrId));
  if (named.length === 1) return named[0];
  if (named.length > 1) {
    const active = named.filter((b) => !TERMINAL_BID_STATUSES.includes(b.status));
    if (active.length === 1) return active[0];
    throw new ValidationError(
      `The name ${JSON.stringify(nameOrId)} matches ${named.length} tasks:\n${named.map((b) => `  ${b.fid}  ${b.status}  ${b.createdAt ?? ""}`).join("\n")}`,
      { field: "task", errorCode: "AMBIGUOUS_NAME", suggestions: ["Give the task's id (the first column) instead of its name."] },
    );
  }
  const near = [...new Set(bids.map((b) => b.name).filter((n): n is string => !!n))]
    .map((n) => ({ n, d: levenshtein(n, nameOrId) }))
    .filter((x) => x.d <= Math.max(3, Math.floor(nameOrId.length / 3)) || x.n.startsWith(nameOrId))
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
    .map((x) => x.n);
  throw new BidNotFoundError(`No task has the id or name ${JSON.stringify(nameOrId)}.`, {
    resourceType: "task",
    resourceId: nameOrId,
    suggestions: [...(near.length ? [`Did you mean ${near.join(" or ")}?`] : []), "List tasks with `flow status`."],
  });
}

function isPulumiTaskBidName(bidName: string, taskName: string): boolean {
  return bidName.startsWith(`${taskName}-bid-`) && /^[0-9a-f]{8}$/.test(bidName.slice(taskName.length + 5));
}

function isParsed(input: RunConfig): input is TaskConfig {
  return typeof (input as TaskConfig).entrypoint === "object" && typeof (input as TaskConfig).maxPricePerHourCents === "number";
}
