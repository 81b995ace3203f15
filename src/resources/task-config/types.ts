// TaskConfig's public types: what users write for volumes, and the config after parsing.

/** A new volume, created with the Task and attached to every instance of its bid. */
export interface NewVolumeSpecInput {
  /** Size in GB, 1 to 16384. Changing it replaces the volume and loses its data. */
  sizeGb: number;
  /** Absolute path on the instance (and in the container, with `image`), e.g. `/data`. */
  mountPath: string;
  /**
   * The volume's name on FCP.
   *
   * @default - `<task name>-vol-<index>`
   */
  name?: string;
  /**
   * `block` (one instance; formatted on first mount, kept afterwards) or `file` (NFS-like,
   * shared by every instance of a cluster). FCP cannot attach a block volume to a bid of more
   * than one instance, so a cluster (`numInstances` > 1) needs `file`.
   *
   * @default "block"
   */
  interface?: "block" | "file";
}

/** An existing FCP volume attached by id. Its size and interface are fixed: do not give them. */
export interface ExistingVolumeSpecInput {
  /** The volume's FCP id (`vol_...`), e.g. a `Volume` resource's `volumeId` output. */
  volumeId: string;
  /** Absolute path on the instance (and in the container, with `image`), e.g. `/data`. */
  mountPath: string;
}

/** The seed's VolumeSpec: exactly one of a new volume (`sizeGb`) or an existing one (`volumeId`). */
export type VolumeSpecInput = NewVolumeSpecInput | ExistingVolumeSpecInput;

export interface NewVolumeSpec {
  sizeGb: number;
  /** Normalised: no trailing or doubled slashes. */
  mountPath: string;
  name?: string;
  interface: "block" | "file";
}

export interface ExistingVolumeSpec {
  volumeId: string;
  mountPath: string;
}

export type VolumeSpec = NewVolumeSpec | ExistingVolumeSpec;

export function isExistingVolume(v: VolumeSpec): v is ExistingVolumeSpec {
  return "volumeId" in v;
}

/**
 * What runs on each instance, resolved from `command`, `shell` or `script`:
 * - `argv`: exec'd as is, no shell (`command` as a list);
 * - `shell`: one command line given to `bash -c` (`shell`, or `command` as a string);
 * - `script`: `content` written to a file and run as `interpreter... <file>` (the `#!` line's
 *   interpreter, or `python3` when there is none).
 */
export type TaskEntrypoint =
  | { kind: "argv"; argv: string[] }
  | { kind: "shell"; commandLine: string }
  | { kind: "script"; content: string; interpreter: string[] };

/** A TaskConfig after parsing: defaults filled, spellings normalised, one entrypoint. */
export interface TaskConfig {
  name: string;
  /** As written (`a100`, `8xh100`, `a100-80gb.sxm.1x`, `it_...`); the Task resolves it. */
  instanceType?: string;
  minGpuMemoryGb?: number;
  /** `command`, `shell` or `script`, resolved: the one thing to run. */
  entrypoint: TaskEntrypoint;
  image?: string;
  env: Record<string, string>;
  /** Undefined (also for an empty list): the Task generates a key. */
  sshKeys?: string[];
  volumes: VolumeSpec[];
  /** Per instance-hour, as the wire writes it: `"$12.50"`. */
  maxPricePerHour: string;
  /** The same, in integer cents. */
  maxPricePerHourCents: number;
  maxRunTimeHours?: number;
  numInstances: number;
  region?: string;
  /** Normalised absolute path. */
  workingDir: string;
  uploadCode: boolean;
  /** As written; the Task resolves it against the program's directory. */
  codeDir?: string;
  priority: number;
}

export interface TaskConfigParseOptions {
  /**
   * Instance type names mapped to FIDs (`loadInstanceTypeOverrides()`); names in it are accepted
   * as `instanceType` even when they are not one of the seed's spellings.
   *
   * @default - no custom names
   */
  instanceTypeOverrides?: Readonly<Record<string, string>>;
}
