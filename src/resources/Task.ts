import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { FcpClient } from "../fcp-client/client";
import { loadConfig, requireApiKey } from "../fcp-client/config";
import { ValidationError } from "../fcp-api/errors";
import { formatPrice } from "../fcp-api/price";
import { buildStartupScript } from "../startup/build-startup-script";
import { SecretInScriptError } from "../startup/errors";
import { packageCode } from "../startup/package-code";
import type { CodePayload } from "../startup/spec";
import { SpotBid, type SpotBidInstance } from "./SpotBid";
import { SshKey } from "./SshKey";
import { isExistingVolume, parseTaskConfig, type NewVolumeSpec, type TaskConfig, type TaskConfigInput } from "./task-config";
import { loadTaskFile, taskConfigToInput } from "./task-file";
import { taskStartupSpec, type MountedVolume } from "./task-startup-spec";
import { Volume } from "./Volume";
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

  readonly bid: SpotBid;
  readonly sshKey?: SshKey;
  readonly volumes: Volume[];

  constructor(name: string, args: TaskArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const config = validateTaskArgs(name, args);
    super(Task.__pulumiType, name, sanitizedArgs(config, args), opts);
    const region = config.region;

    this.volumes = config.volumes.filter((v): v is NewVolumeSpec => !isExistingVolume(v)).map((v, i) =>
      new Volume(`${name}-vol-${i}`, { name: v.name, sizeGb: v.sizeGb, interface: v.interface, region }, { parent: this }),
    );
    const mounted = resolveMounts(config, this.volumes);

    if (!args.sshKeys?.length) this.sshKey = new SshKey(`${name}-key`, {}, { parent: this });
    const sshKeyIds: pulumi.Input<pulumi.Input<string>[]> = this.sshKey ? [this.sshKey.keyId] : args.sshKeys!;

    const codeDir = path.resolve(config.codeDir ?? process.cwd());
    const code: Promise<CodePayload | undefined> = config.uploadCode ? packageCode(codeDir) : Promise.resolve(undefined);
    const env = pulumi.all(args.env ?? {});
    // The code stays out of pulumi.all: Output unwrapping would turn its Buffer into a plain object.
    const script = pulumi.all([env, mounted]).apply(async ([envValues, volumes]) =>
      buildStartupScript(taskStartupSpec(config, envValues, volumes, await code), { secrets: apiKeysInReach() }),
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
        startupScript: script.script,
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
    // Known from the args, so previews and policies see the cost before anything exists.
    this.hourlyCost = pulumi.output(formatPrice(config.maxPricePerHourCents * config.numInstances));
    this.startupScriptBytes = script.bytes;
    this.volumeIds = mounted.apply((vs) => vs.map((v) => v.volumeId));
    this.instanceTypeName = this.bid.instanceTypeName;

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
    });
  }
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
  plain.env = Object.fromEntries(Object.entries(args.env ?? {}).map(([k, v]) => [k, typeof v === "string" ? v : ""]));
  plain.sshKeys = args.sshKeys?.map((k, i) => (typeof k === "string" ? k : `ssh-key_input${i}`));
  plain.name ??= name;
  const config = parseTaskConfig(plain);
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
  const keys = [pulumi.runtime.getConfig("fcp:apiKey"), process.env.FCP_API_KEY, process.env.FLOW_API_KEY];
  return keys.filter((k): k is string => typeof k === "string" && k.length > 0);
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

/** The interface of an existing volume, which the startup script needs to mount it. */
async function existingVolumeInterface(volumeId: string, numInstances: number): Promise<"block" | "file"> {
  const fcp = (key: string) => pulumi.runtime.getConfig(`fcp:${key}`);
  const settings = loadConfig({ apiKey: fcp("apiKey"), apiUrl: fcp("apiUrl"), project: fcp("project") });
  const client = new FcpClient({ apiKey: requireApiKey(settings), apiUrl: settings.apiUrl, project: settings.project });
  try {
    const volume = (await client.listVolumes()).find((v) => v.fid === volumeId);
    if (!volume) {
      throw new ValidationError(`Volume ${volumeId} does not exist in project ${settings.project ?? "(default)"}.`, {
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
  } finally {
    await client.close();
  }
}
