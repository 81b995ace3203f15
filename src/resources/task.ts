import { createHash } from "node:crypto";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { FcpClient } from "../fcp-client/client";
import { loadConfig, requireApiKey } from "../fcp-client/config";
import { API_KEY_ENV_NAMES } from "../fcp-api/api-key-env-names";
import type { Volume as FcpVolume } from "../fcp-api/models";
import { ValidationError } from "../fcp-api/errors";
import { formatPrice } from "../fcp-api/price";
import { gunzipSync } from "node:zlib";
import { buildStartupScript, type StartupScript } from "../startup/build-startup-script";
import { DEFAULT_MASTER_PORT } from "../startup/constants";
import { envNameProblem } from "../startup/env-rules";
import { ScriptTooLargeError, SecretInScriptError } from "../startup/errors";
import { packageCode } from "../startup/package-code";
import type { CodePayload } from "../startup/spec";
import { ClusterBootstrap, type ClusterNode } from "./cluster-bootstrap";
import { SpotBid, type SpotBidInstance } from "./spot-bid";
import { SshKey } from "./ssh-key";
import { isExistingVolume, parseTaskConfig, type NewVolumeSpec, type TaskConfig, type TaskConfigInput } from "./task-config";
import { loadTaskFile, taskConfigToInput } from "./task-file";
import { skipPromiseStackTraces } from "./promise-stack-traces";
import { taskStartupSpec, type MountedVolume } from "./task-startup-spec";
import { Volume } from "./volume";
import type { WaitFor } from "../provider/spot-bid-inputs";

/**
 * A TaskConfig, with Pulumi inputs where values may come from other resources or secrets.
 */
export type TaskArgs = Omit<TaskConfigInput, "env" | "sshKeys" | "name"> & {
  /**
   * The task's name: letters, digits, `-` and `_`, at most 63 characters.
   * @default - the Pulumi resource name
   */
  name?: string;
  /**
   * Environment of the command. Values may be secrets (`pulumi.secret(...)` or
   * `config.requireSecret(...)`): the startup script, and the bid that holds it, are then secret
   * in state. Anyone in the FCP project can read a bid's script, so prefer short-lived tokens.
   * @default {}
   */
  env?: Record<string, pulumi.Input<string>>;
  /**
   * Values that must never be in a startup script or anywhere on FCP (e.g. `HF_TOKEN`): delivered
   * over SSH by the cluster bootstrap into a root-only 0600 file that only the task's process
   * reads. Kept secret in state. Names follow the rules of `env`, and may not also be in `env`.
   * @default {}
   */
  secretEnv?: Record<string, pulumi.Input<string>>;
  /**
   * OpenSSH private key of one of `sshKeys`, for the cluster bootstrap (multi-node tasks, large
   * code, secretEnv). Not needed when the Task generates its key.
   * @default - the generated key
   */
  privateKey?: pulumi.Input<string>;
  /**
   * Whether a multi-node Task writes each node's cluster.env over SSH (the `ClusterBootstrap`).
   * `false` leaves the nodes waiting for a cluster.env you write yourself; secretEnv and code too
   * large for the script still need the bootstrap.
   * @default true
   */
  clusterBootstrap?: boolean;
  /**
   * How long the cluster bootstrap waits for every instance to be reachable over SSH.
   * @default 600
   */
  bootstrapTimeoutSeconds?: number;
  /**
   * FCP SSH key ids, e.g. `[key.keyId]`.
   * @default - a new ed25519 key is generated; its private half is the secret output `privateKey`
   */
  sshKeys?: pulumi.Input<string>[];
  /**
   * What the bid waits for before `pulumi up` moves on.
   * @default "running"
   */
  waitFor?: WaitFor;
  /**
   * How long to wait for it.
   * @default 30
   */
  readyTimeoutMinutes?: number;
  /**
   * Cancel the old bid before the new one is created when the bid must be replaced (e.g. a new
   * `numInstances`): no paying for both for a moment, but downtime between them.
   * @default false
   */
  deleteBeforeReplace?: boolean;
};

/**
 * A training job or cluster on FCP: volumes, an SSH key, a startup script that brings the code
 * and runs the command, and one all-or-nothing spot bid for `numInstances` instances.
 *
 * Changing `numInstances` (or anything the bid cannot change in place) replaces the bid; the new
 * one comes up before the old one is cancelled unless `deleteBeforeReplace` is set. Changing
 * `maxPricePerHour` is one in-place update.
 *
 * @example
 * const train = new Task("llama", {
 *   instanceType: "8xh100",
 *   numInstances: 2,
 *   maxPricePerHour: 30,
 *   volumes: [{ sizeGb: 1000, mountPath: "/data", interface: "file" }],
 *   command: "torchrun --nnodes=$FLOW_NUM_NODES --node_rank=$FLOW_NODE_RANK --master_addr=$MASTER_ADDR train.py",
 * });
 * export const ssh = train.sshCommands;
 */
export class Task extends pulumi.ComponentResource {
  static readonly __pulumiType = "fcp:index:Task";

  /**
   * A Task from a YAML task file (the seed's snake_case format); errors give the file's line and
   * column. `codeDir` is relative to the file. `args` override or add to the file's fields.
   */
  static fromFile(file: string, args: Partial<TaskArgs> = {}, opts: pulumi.ComponentResourceOptions = {}): Task {
    const { config } = loadTaskFile(file);
    const fromYaml = taskConfigToInput(config) as TaskArgs;
    return new Task(args.name ?? config.name, { ...fromYaml, ...args }, opts);
  }

  readonly bidId: pulumi.Output<string>;
  readonly status: pulumi.Output<string>;
  readonly instances: pulumi.Output<SpotBidInstance[]>;
  /** `host:port` per instance. */
  readonly sshHosts: pulumi.Output<string[]>;
  /** `ssh -p PORT ubuntu@HOST` per instance. */
  readonly sshCommands: pulumi.Output<string[]>;
  /** OpenSSH private key of the generated key (secret), undefined when `sshKeys` were given. */
  readonly privateKey: pulumi.Output<string | undefined>;
  /** Worst case per hour: limit price × instances, `"$X.XX"`. */
  readonly hourlyCost: pulumi.Output<string>;
  readonly startupScriptBytes: pulumi.Output<number>;
  readonly volumeIds: pulumi.Output<string[]>;
  readonly instanceTypeName: pulumi.Output<string>;
  /**
   * Each node's rank, host, private IP and ready state: `ready` once the cluster bootstrap
   * delivered everything; after `pulumi refresh`, the node's startup status. Without a bootstrap
   * (one node, code in the script), the instances' FCP status.
   */
  readonly nodes: pulumi.Output<ClusterNode[]>;
  /** When every node was ready (the bootstrap finished), or undefined without a bootstrap. */
  readonly clusterReadyAt: pulumi.Output<string | undefined>;

  readonly bid: SpotBid;
  /**
   * The SSH bootstrap (cluster.env, large code, secretEnv), when this Task needs one. Known at
   * once for clusters and secretEnv; for a single node whose code turns out too large for the
   * script, it is added once the code is packaged (see `bootstrapped`).
   */
  readonly bootstrap?: ClusterBootstrap;
  /** Resolves to the bootstrap, whether it was known at once or added after packaging. */
  readonly bootstrapped: Promise<ClusterBootstrap | undefined>;
  readonly sshKey?: SshKey;
  readonly volumes: Volume[];

  constructor(name: string, args: TaskArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const config = validateTaskArgs(name, args);
    const restoreStackTraces = skipPromiseStackTraces();
    try {
      super(Task.__pulumiType, name, sanitizedArgs(config, args), opts);
    } finally {
      restoreStackTraces();
    }
    const region = config.region;

    this.volumes = config.volumes.filter((v): v is NewVolumeSpec => !isExistingVolume(v)).map((v, i) =>
      new Volume(`${name}-vol-${i}`, { name: v.name, sizeGb: v.sizeGb, interface: v.interface, region }, { parent: this }),
    );
    const mounted = resolveMounts(config, this.volumes);

    if (!args.sshKeys?.length) this.sshKey = new SshKey(`${name}-key`, {}, { parent: this });
    const sshKeyIds: pulumi.Input<pulumi.Input<string>[]> = this.sshKey ? [this.sshKey.keyId] : args.sshKeys!;

    const secretNames = Object.keys(args.secretEnv ?? {});
    const codeDir = path.resolve(config.codeDir ?? process.cwd());
    const code: Promise<CodePayload | undefined> = config.uploadCode ? packageCode(codeDir) : Promise.resolve(undefined);
    // Decided on the package alone (known in previews too): small code rides in the script, larger
    // code is uploaded over SFTP by the bootstrap and the script holds only its sha256.
    const asDelivered = (c: CodePayload): DeliveredCode => ({ dir: codeDir, sha256: c.sha256, bytes: codeBytes(c).length });
    const overBudget: Promise<DeliveredCode | undefined> = code.then((c) => (c && codeBytes(c).length > INLINE_CODE_BUDGET_BYTES ? asDelivered(c) : undefined));
    // With a bootstrap anyway (clusters, secretEnv), code under the budget is delivered too when the
    // script turns out too large with it.
    const bootstrapNow = (config.numInstances > 1 && args.clusterBootstrap !== false) || secretNames.length > 0;
    const env = pulumi.all(args.env ?? {});
    const timeoutSeconds = args.bootstrapTimeoutSeconds ?? 600;
    // The code stays out of pulumi.all: Output unwrapping would turn its Buffer into a plain object.
    // Only the names of secretEnv reach the script; its values are checked never to be in it.
    const secretValues = pulumi.unsecret(pulumi.all(args.secretEnv ?? {}));
    const built = pulumi.all([env, mounted, secretValues]).apply(async ([envValues, volumes, secrets]) =>
      buildTaskScript(config, envValues, volumes, await code, await overBudget, bootstrapNow ? asDelivered : undefined, secretNames, timeoutSeconds, [
        ...apiKeysInReach(),
        ...Object.values(secrets),
      ]),
    );

    this.bid = new SpotBid(
      `${name}-bid`,
      {
        instanceType: config.instanceType,
        minGpuMemoryGb: config.minGpuMemoryGb,
        region,
        limitPrice: config.maxPricePerHour,
        instanceQuantity: config.numInstances,
        sshKeyIds,
        volumeIds: mounted.apply((vs) => vs.map((v) => v.volumeId)),
        startupScript: built.apply((b) => b.script),
        waitFor: args.waitFor,
        readyTimeoutMinutes: args.readyTimeoutMinutes,
      },
      { parent: this, deleteBeforeReplace: args.deleteBeforeReplace },
    );

    this.bidId = this.bid.bidId;
    this.status = this.bid.status;
    this.instances = this.bid.instances;
    this.sshHosts = this.bid.sshHosts;
    this.sshCommands = this.bid.instances.apply((list) =>
      (list ?? []).filter((i) => i.sshHost).map((i) => `ssh -p ${i.sshPort ?? 22} ubuntu@${i.sshHost}`),
    );
    this.privateKey = this.sshKey ? this.sshKey.privateKey : pulumi.output(undefined);

    const bootstrapKey: pulumi.Input<string> | undefined = args.privateKey ?? this.sshKey?.privateKey.apply((k) => k ?? "");
    const addBootstrap = (deliveredCode: pulumi.Input<DeliveredCode | undefined>): ClusterBootstrap => {
      if (!bootstrapKey) {
        throw new ValidationError(`Task ${name} needs the private key of one of its sshKeys: ${config.numInstances > 1 ? "its nodes get cluster.env" : "its code or secretEnv is delivered"} over SSH.`, {
          field: "privateKey",
          suggestions: ['Pass `privateKey` (e.g. config.requireSecret("sshPrivateKey")), or leave `sshKeys` out to let the Task generate a key.'],
        });
      }
      return new ClusterBootstrap(
        `${name}-bootstrap`,
        {
          // The id, not the bidId output: it stays known in a preview of an in-place bid update.
          bidId: this.bid.id,
          instances: this.bid.instances,
          privateKey: bootstrapKey,
          numNodes: config.numInstances,
          cluster: config.numInstances > 1 && args.clusterBootstrap !== false,
          masterPort: masterPortOf(args.env),
          code: deliveredCode as pulumi.Input<DeliveredCode>,
          secretEnv: args.secretEnv,
          timeoutSeconds,
        },
        { parent: this },
      );
    };
    if (bootstrapNow) {
      this.bootstrap = addBootstrap(built.apply((b) => b.delivered));
      this.bootstrapped = Promise.resolve(this.bootstrap);
    } else {
      // Without cluster.env to write, one is needed only when the code is too large for the script.
      this.bootstrapped = overBudget.then((d) => (d ? addBootstrap(d) : undefined));
    }
    this.nodes = pulumi.output(this.bootstrapped).apply((b) => (b ? b.nodes : this.bid.instances.apply(nodesWithoutBootstrap)));
    this.clusterReadyAt = pulumi.output(this.bootstrapped).apply((b): pulumi.Output<string | undefined> => (b ? b.readyAt : pulumi.output(undefined)));
    // Known from the args, so previews and policies see the cost before anything exists.
    this.hourlyCost = pulumi.output(formatPrice(config.maxPricePerHourCents * config.numInstances));
    this.startupScriptBytes = built.apply((b) => b.bytes);
    this.volumeIds = mounted.apply((vs) => vs.map((v) => v.volumeId));
    this.instanceTypeName = this.bid.instanceTypeName;

    const restoreOutputTraces = skipPromiseStackTraces();
    try {
      this.registerOutputs({
        bidId: this.bidId,
        status: this.status,
        instances: this.instances,
        sshHosts: this.sshHosts,
        sshCommands: this.sshCommands,
        privateKey: this.privateKey,
        hourlyCost: this.hourlyCost,
        startupScriptBytes: this.startupScriptBytes,
        volumeIds: this.volumeIds,
        instanceTypeName: this.instanceTypeName,
        nodes: this.nodes,
        clusterReadyAt: this.clusterReadyAt,
      });
    } finally {
      restoreOutputTraces();
    }
  }
}

/** A code package the script cannot hold: the bootstrap packages `dir` again and uploads it. */
interface DeliveredCode {
  dir: string;
  sha256: string;
  bytes: number;
}

/**
 * The script with the code inside when it fits, else with the code delivered over SFTP (the
 * script then holds only its sha256). secretEnv names are always delivered.
 */
function buildTaskScript(
  config: TaskConfig,
  env: Record<string, string>,
  volumes: MountedVolume[],
  code: CodePayload | undefined,
  overBudget: DeliveredCode | undefined,
  deliverIfTooLarge: ((code: CodePayload) => DeliveredCode) | undefined,
  secretNames: string[],
  bootstrapTimeoutSeconds: number,
  secrets: string[],
): StartupScript & { delivered?: DeliveredCode } {
  const waitSeconds = deliveryWaitSeconds(bootstrapTimeoutSeconds);
  let delivered = overBudget;
  if (!delivered) {
    const delivery = secretNames.length > 0 ? { secretEnvNames: secretNames, waitSeconds } : undefined;
    try {
      return buildStartupScript({ ...taskStartupSpec(config, env, volumes, code), delivery }, { secrets });
    } catch (err) {
      if (!(err instanceof ScriptTooLargeError) || !code || !deliverIfTooLarge) throw err;
      delivered = deliverIfTooLarge(code);
    }
  }
  // Not in the script, so the script's own check cannot see it: the package is searched here.
  const tar = gunzipSync(codeBytes(code!));
  for (const secret of secrets) if (secret && tar.includes(Buffer.from(secret, "utf8"))) throw new SecretInScriptError("the code package");
  const delivery = { codeSha256: delivered.sha256, secretEnvNames: secretNames, waitSeconds };
  return { ...buildStartupScript({ ...taskStartupSpec(config, env, volumes, undefined), delivery }, { secrets }), delivered };
}

/**
 * Gzipped code larger than this is delivered over SFTP (decided on the package alone, so a preview
 * knows whether a single node gets a bootstrap): base64 makes it 4/3 larger, the rest of the script
 * needs room, and the largest payload that fits a minimal script is about 6,180 bytes.
 */
const INLINE_CODE_BUDGET_BYTES = 6_000;

function codeBytes(code: CodePayload): Buffer {
  return "bytes" in code ? Buffer.from(code.bytes.buffer, code.bytes.byteOffset, code.bytes.byteLength) : Buffer.from(code.base64, "base64");
}

/** The script waits for deliveries longer than the bootstrap waits for SSH, plus the upload itself. */
function deliveryWaitSeconds(bootstrapTimeoutSeconds: number): number {
  return Math.min(86_400, Math.max(1800, bootstrapTimeoutSeconds * 2 + 600));
}

/** `MASTER_PORT` from a plain env value, else torchrun's default. */
function masterPortOf(env: TaskArgs["env"]): number {
  const value = env?.MASTER_PORT;
  const port = typeof value === "string" ? Number(value) : NaN;
  return Number.isInteger(port) && port > 0 && port < 65_536 ? port : DEFAULT_MASTER_PORT;
}

/** Nodes of a Task without a bootstrap: ranked by instance id, state the FCP instance status. */
function nodesWithoutBootstrap(instances: SpotBidInstance[] | undefined): ClusterNode[] {
  return [...(instances ?? [])]
    .filter((i) => i.status !== "terminated")
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((i, rank) => ({ instanceId: i.id, rank, host: i.sshHost ? `${i.sshHost}:${i.sshPort ?? 22}` : "", privateIp: i.privateIp ?? "", state: i.status }));
}

/**
 * Validates the plain parts of a Task's args at once (Outputs are checked when they resolve),
 * with every problem in one error.
 */
export function validateTaskArgs(name: string, args: TaskArgs): TaskConfig {
  // Env values and key ids may be Outputs: validate their names and count with stand-ins.
  const plain: Record<string, unknown> = { ...args };
  delete plain.waitFor;
  delete plain.readyTimeoutMinutes;
  delete plain.deleteBeforeReplace;
  delete plain.secretEnv;
  delete plain.privateKey;
  delete plain.bootstrapTimeoutSeconds;
  delete plain.clusterBootstrap;
  plain.env = Object.fromEntries(Object.entries(args.env ?? {}).map(([k, v]) => [k, typeof v === "string" ? v : ""]));
  plain.sshKeys = args.sshKeys?.map((k, i) => (typeof k === "string" ? k : `ssh-key_input${i}`));
  plain.name ??= name;
  const config = parseTaskConfig(plain);
  const problems = Object.keys(args.secretEnv ?? {}).flatMap((key) => {
    const bad = envNameProblem(key, config.numInstances) ?? (key in (args.env ?? {}) ? "is also in env; a variable is either plain or secret" : undefined);
    return bad ? [{ field: `secretEnv.${key}`, message: bad }] : [];
  });
  const timeout = args.bootstrapTimeoutSeconds;
  if (timeout !== undefined && (!Number.isInteger(timeout) || timeout < 1 || timeout > 86_400)) {
    problems.push({ field: "bootstrapTimeoutSeconds", message: `must be a whole number of seconds from 1 to 86400, got ${timeout}` });
  }
  if (args.waitFor === "none" && ((config.numInstances > 1 && args.clusterBootstrap !== false) || Object.keys(args.secretEnv ?? {}).length > 0)) {
    problems.push({ field: "waitFor", message: 'cannot be "none" when the instances are bootstrapped over SSH (multi-node or secretEnv): the bootstrap needs their addresses' });
  }
  const bootstrapped = (config.numInstances > 1 && args.clusterBootstrap !== false) || Object.keys(args.secretEnv ?? {}).length > 0;
  if (bootstrapped && args.sshKeys?.length && args.privateKey === undefined) {
    problems.push({ field: "privateKey", message: "is needed with sshKeys: the cluster bootstrap logs in with one of them (or leave sshKeys out to let the Task generate a key)" });
  }
    if (problems.length > 0) {
    throw new ValidationError(`Task ${name}: ${problems.map((p) => `${p.field} ${p.message}`).join("; ")}`, {
      fieldErrors: problems,
      field: problems[0].field,
      suggestions: ["secretEnv names follow the rules of env; timeouts are whole seconds."],
    });
  }
  // Plain values are checked now, before anything is created; Outputs when the script is built.
  for (const [where, value] of [
    ...Object.entries(args.env ?? {}).map(([k, v]) => [`env.${k}`, v] as const),
    ["run.command", JSON.stringify(config.entrypoint)] as const,
  ]) {
    if (typeof value === "string" && apiKeysInReach().some((key) => value.includes(key))) throw new SecretInScriptError(where);
  }
  return config;
}

/**
 * The FCP API keys this program could leak: any project member can read a bid's startup script,
 * so the build refuses a script (env, command or code) that contains one.
 */
function apiKeysInReach(): string[] {
  const keys: Array<string | undefined> = [pulumi.runtime.getConfig("fcp:apiKey"), ...API_KEY_ENV_NAMES.map((n) => process.env[n])];
  // Keys configured in files (./.flow/config.yaml, ~/.flow/config.yaml, ~/.flow/credentials.fcp,
  // the live client's config), even when the stack config or the environment sets another.
  try {
    keys.push(loadConfig({}, { env: {}, homeDir: process.env.HOME || undefined }).apiKey);
  } catch {
    // An unreadable credentials file is the provider's error to report, not this guard's.
  }
  return [...new Set(keys.filter((k): k is string => typeof k === "string" && k.length > 0))];
}

/** What the component records as its inputs: no secret, no code, no script. */
function sanitizedArgs(config: TaskConfig, args: TaskArgs): pulumi.Inputs {
  const env: Record<string, pulumi.Input<string>> = {};
  for (const [key, value] of Object.entries(args.env ?? {})) {
    if (typeof value === "string") {
      env[key] = value;
    } else {
      const out = pulumi.output(value);
      // Policies see plaintext values (to flag credentials left in plain config) but never a
      // secret's value.
      env[key] = pulumi.unsecret(pulumi.all([out, pulumi.output(pulumi.isSecret(out))]).apply(([v, secret]) => (secret ? "[secret]" : v)));
    }
  }
  return {
    name: config.name,
    instanceType: config.instanceType,
    minGpuMemoryGb: config.minGpuMemoryGb,
    numInstances: config.numInstances,
    maxPricePerHour: config.maxPricePerHour,
    maxRunTimeHours: config.maxRunTimeHours,
    region: config.region,
    image: config.image,
    env,
    // Names only: a policy may see that secrets are delivered, never what they are.
    secretEnv: Object.fromEntries(Object.keys(args.secretEnv ?? {}).map((k) => [k, "[secret]"])),
    command: config.entrypoint.kind === "argv" ? config.entrypoint.argv : config.entrypoint.kind === "shell" ? config.entrypoint.commandLine : undefined,
    uploadCode: config.uploadCode,
    volumes: config.volumes.map((v) => (isExistingVolume(v) ? { volumeId: v.volumeId, mountPath: v.mountPath } : { ...v })),
  };
}

/** Volume ids and interfaces in TaskConfig order; existing volumes are looked up on FCP. */
function resolveMounts(config: TaskConfig, created: Volume[]): pulumi.Output<MountedVolume[]> {
  let next = 0;
  const mounts = config.volumes.map((v): pulumi.Input<MountedVolume> => {
    if (!isExistingVolume(v)) {
      const volume = created[next++];
      return volume.volumeId.apply((volumeId) => ({ volumeId, mountPath: v.mountPath, interface: v.interface }));
    }
    return existingVolumeInterface(v.volumeId, config.numInstances).then((iface) => ({ volumeId: v.volumeId, mountPath: v.mountPath, interface: iface }));
  });
  return pulumi.all(mounts);
}

/**
 * The project's volumes, listed once per program run and endpoint however many Tasks mount
 * existing ones. Keyed by the run's stack resource, so the next run (a test engine runs many in
 * one process) lists again and sees volumes made since.
 */
const volumeListingsByRun = new WeakMap<object, Map<string, Promise<FcpVolume[]>>>();

function projectVolumes(): Promise<FcpVolume[]> {
  const fcp = (key: string) => pulumi.runtime.getConfig(`fcp:${key}`);
  const settings = loadConfig({ apiKey: fcp("apiKey"), apiUrl: fcp("apiUrl"), project: fcp("project"), dialect: fcp("dialect") });
  const apiKey = requireApiKey(settings);
  const key = JSON.stringify([settings.apiUrl, settings.project, createHash("sha256").update(apiKey).digest("hex")]);
  const run = pulumi.runtime.getStackResource();
  const volumeListings = run ? (volumeListingsByRun.get(run) ?? new Map<string, Promise<FcpVolume[]>>()) : new Map<string, Promise<FcpVolume[]>>();
  if (run) volumeListingsByRun.set(run, volumeListings);
  let listing = volumeListings.get(key);
  if (!listing) {
    listing = (async () => {
      const client = new FcpClient({ apiKey, apiUrl: settings.apiUrl, project: settings.project, dialect: settings.dialect });
      try {
        return await client.listVolumes();
      } finally {
        await client.close();
      }
    })();
    // A failed listing is not cached: the next Task tries again.
    listing.catch(() => volumeListings.delete(key));
    volumeListings.set(key, listing);
  }
  return listing;
}

/** The interface of an existing volume, which the startup script needs to mount it. */
async function existingVolumeInterface(volumeId: string, numInstances: number): Promise<"block" | "file"> {
  const volume = (await projectVolumes()).find((v) => v.fid === volumeId);
  if (!volume) {
    throw new ValidationError(`Volume ${volumeId} does not exist in the configured FCP project.`, {
      field: "volumes",
      suggestions: ["Check the id, or give {sizeGb, mountPath} to create a new volume."],
    });
  }
  if (volume.interface === "block" && numInstances > 1) {
    throw new ValidationError(`Volume ${volumeId} is a block volume; FCP cannot attach it to a bid of ${numInstances} instances.`, {
      field: "volumes",
      suggestions: ['Use a volume with interface "file" for clusters.'],
    });
  }
  return volume.interface;
}
