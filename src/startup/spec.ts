// What a startup script is built from. The Task construct fills this in from its args; the
// shape is parsed by `startupSpecSchema` at the boundary (values may come from deserialized state).
import { z } from "zod";

/**
 * Everything a first-boot script needs to run one task on an FCP instance.
 *
 * @example
 * buildStartupScript({
 *   taskName: "train-llama",
 *   env: { WANDB_PROJECT: "llama" },
 *   volumes: [{ interface: "block", volumeId: "vol_abc123", mountPath: "/data" }],
 *   code: await packageCode("./src"),
 *   run: { image: "nvcr.io/nvidia/pytorch:24.01-py3", command: ["python", "train.py"] },
 *   maxRunTimeHours: 24,
 * });
 */
export interface StartupSpec {
  /**
   * Name of the task, written into the status file and the script's header.
   *
   * Letters, digits, `-` and `_`, starting with a letter or digit, at most 63 characters.
   */
  taskName: string;

  /**
   * Environment of the user's command (or container), passed through byte for byte.
   *
   * Names must be valid shell names; `FLOW_*` is reserved for the cluster variables. Values may
   * hold anything but NUL. Never put the FCP API key here: any project member can read a bid's
   * startup script.
   * @default - no extra variables
   */
  env?: Record<string, string>;

  /**
   * Volumes attached to the bid, mounted before the code arrives.
   *
   * Block volumes get a filesystem only when they have none; existing data is never reformatted.
   * @default - no volumes
   */
  volumes?: StartupVolume[];

  /**
   * The packaged code (`packageCode`), extracted to `/workspace`.
   *
   * @default - no code is uploaded
   */
  code?: CodePayload;

  /**
   * What arrives over SSH after allocation instead of inside the script (the cluster bootstrap
   * brings it): a code package too large for the script, and secret env values that must never
   * be in a script. The script waits for them, bounded.
   * @default - nothing is delivered
   */
  delivery?: StartupDelivery;

  /**
   * Multi-instance tasks: the script waits for `/var/lib/flow/cluster.env` and exports the
   * rendezvous variables. Leave unset, or set `numNodes: 1`, for a single instance.
   * @default - a single instance
   */
  cluster?: StartupCluster;

  /** What to run. */
  run: StartupRun;

  /**
   * Hours after which the instance powers itself off (systemd timer, `shutdown` as fallback).
   *
   * Between 0 (exclusive) and 168.
   * @default - no limit on the instance
   */
  maxRunTimeHours?: number;
}

/** A block volume: a disk that appears as `/dev/disk/by-id/virtio-<volume id>`. */
export interface BlockVolumeMount {
  interface: "block";
  /** FCP volume id (`vol_...`). */
  volumeId: string;
  /** Absolute path where the volume is mounted, e.g. `/data`. */
  mountPath: string;
  /**
   * A device path to try as well as the by-id link, e.g. `/dev/vdb`.
   *
   * @default - only `/dev/disk/by-id/virtio-<first 20 characters of the volume id>`
   */
  devicePath?: string;
  /**
   * How long to wait for the device to appear.
   *
   * @default 300
   */
  waitSeconds?: number;
}

/** A file volume: a shared filesystem, mounted but never formatted. */
export interface FileVolumeMount {
  interface: "file";
  /** FCP volume id (`vol_...`). */
  volumeId: string;
  /** Absolute path where the volume is mounted, e.g. `/shared`. */
  mountPath: string;
  /**
   * What to mount: a virtiofs tag or an NFS `host:/export`.
   *
   * @default - the volume id (the virtiofs tag)
   */
  source?: string;
  /**
   * Filesystem type given to `mount -t`.
   *
   * @default "virtiofs"
   */
  fsType?: string;
  /**
   * How long to keep retrying the mount.
   *
   * @default 300
   */
  waitSeconds?: number;
}

export type StartupVolume = BlockVolumeMount | FileVolumeMount;

/**
 * A gzipped tar of the code and the sha256 of exactly these bytes. `packageCode` returns one.
 * Exactly one of `bytes` and `base64`.
 */
export type CodePayload = { bytes: Uint8Array; sha256: string } | { base64: string; sha256: string };

export interface StartupDelivery {
  /**
   * sha256 of the code package the bootstrap uploads to `/var/lib/flow/code.tgz`; checked before
   * it is extracted to `/workspace`. Not together with `code`.
   * @default - no delivered code
   */
  codeSha256?: string;
  /**
   * Names (never values) of the variables in `/var/lib/flow/secret.env`, exported to the task only.
   * @default - no secret env
   */
  secretEnvNames?: string[];
  /**
   * How long the script waits for what is delivered.
   * @default 1800
   */
  waitSeconds?: number;
}

export interface StartupCluster {
  /** Instances in the task (the bid's quantity). */
  numNodes: number;
  /**
   * How long each node waits for `/var/lib/flow/cluster.env`.
   *
   * @default 1800
   */
  waitSeconds?: number;
}

export interface StartupRun {
  /**
   * Docker image to run the command in (`docker run --gpus all`), pulled with retries.
   *
   * @default - the command runs on the host
   */
  image?: string;
  /**
   * The command: an argv (run as is) or a string (run by `bash -c`, or `sh -c` in a container).
   *
   * Required without `image`; with `image` it replaces the image's default command.
   * @default - the image's own command
   */
  command?: string[] | string;
  /**
   * Working directory of the command (inside the container when `image` is set).
   *
   * @default "/workspace"
   */
  workingDir?: string;
  /**
   * Whether the instance has NVIDIA GPUs: logs `nvidia-smi -L` and passes `--gpus all` to docker.
   *
   * @default true
   */
  gpus?: boolean;
}

const bytesSchema = z.custom<Uint8Array>((v) => v instanceof Uint8Array, { message: "expected a Uint8Array or Buffer" });
const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, "expected 64 lowercase hex digits");
const seconds = z.number().int().min(0).max(86_400);

export const startupVolumeSchema = z.discriminatedUnion("interface", [
  z.object({
    interface: z.literal("block"),
    volumeId: z.string(),
    mountPath: z.string(),
    devicePath: z.string().optional(),
    waitSeconds: seconds.optional(),
  }),
  z.object({
    interface: z.literal("file"),
    volumeId: z.string(),
    mountPath: z.string(),
    source: z.string().optional(),
    fsType: z.string().optional(),
    waitSeconds: seconds.optional(),
  }),
]);

/** The shape of a `StartupSpec`; `checkStartupSpec` adds the rules zod cannot say. */
export const startupSpecSchema = z.object({
  taskName: z.string(),
  env: z.record(z.string(), z.string()).optional(),
  volumes: z.array(startupVolumeSchema).optional(),
  code: z
    .union([
      z.object({ bytes: bytesSchema, sha256: sha256Schema }),
      z.object({ base64: z.string(), sha256: sha256Schema }),
    ])
    .optional(),
  delivery: z
    .object({ codeSha256: sha256Schema.optional(), secretEnvNames: z.array(z.string()).optional(), waitSeconds: seconds.optional() })
    .optional(),
  cluster: z.object({ numNodes: z.number().int().min(1).max(1024), waitSeconds: seconds.optional() }).optional(),
  run: z.object({
    image: z.string().optional(),
    command: z.union([z.array(z.string()), z.string()]).optional(),
    workingDir: z.string().optional(),
    gpus: z.boolean().optional(),
  }),
  maxRunTimeHours: z.number().optional(),
});
