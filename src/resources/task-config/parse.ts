// The seed's TaskConfig as a zod model, in camelCase. Everything a Task needs is checked here,
// offline and all at once, so a wrong config fails at `pulumi preview` with every problem listed,
// not after an 8xH100 bid has been placed. `parseTaskConfig` also reads the seed's snake_case
// spelling (YAML and other frontends) and turns its documented mistakes into "did you mean".
import { posix } from "node:path";
import { z } from "zod";
import { FlowError, ValidationError, type FieldError } from "../../fcp-api/errors";
import { formatPrice, parsePriceCents } from "../../fcp-api/price";
import { parseInstanceType } from "../../fcp-api/instance-types";
import { FLOW_LOG_DIR, FLOW_STATE_DIR, MAX_RUN_TIME_HOURS, WORKSPACE_DIR } from "../../startup/constants";
import { checkStartupSpec } from "../../startup/resolve-startup-spec";

// --- Limits -------------------------------------------------------------------------------

/** Where uploaded code lands and commands run unless `workingDir` says otherwise. */
export const DEFAULT_WORKING_DIR = WORKSPACE_DIR;
/** The startup script's limit; the Task also derives its bid, volume and key names from it. */
export const TASK_NAME_MAX_LENGTH = 63;
/** Env prefixes the startup script sets itself (`FLOW_NODE_RANK`, ...). */
export const RESERVED_ENV_PREFIXES = ["FLOW_", "FCP_"] as const;
/** What runs a `script` that has no `#!` line. */
export const DEFAULT_SCRIPT_INTERPRETER = ["python3"] as const;
export const MAX_NUM_INSTANCES = 1024;
export const MAX_VOLUME_SIZE_GB = 16384;

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
// Paths go into shell commands, fstab and `docker -v`: the startup script's small alphabet keeps
// them safe in all three.
const SAFE_PATH_RE = /^[A-Za-z0-9._/-]+$/;
const REGION_RE = /^[a-z][a-z0-9]*(-[a-z0-9]+)+$/;
const IMAGE_RE = buildImageReferenceRe();

// --- Public types ------------------------------------------------------------------------------

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
  maxPricePerHour?: string;
  /** The same, in integer cents. */
  maxPricePerHourCents?: number;
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

// --- Field schemas -------------------------------------------------------------------------

// Suggestions ride on custom issues as `params.suggestions`, collected into the error's list.
type Ctx = z.core.$RefinementCtx;
function issue(ctx: Ctx, message: string, path: PropertyKey[] = [], suggestions: string[] = []): void {
  ctx.addIssue({ code: "custom", message, path, params: suggestions.length ? { suggestions } : undefined });
}

function requiredString(what: string) {
  return z.string({
    error: (iss) => (iss.input === undefined ? `is required: ${what}` : `must be a string, not ${typeName(iss.input)}`),
  });
}

const nameSchema = requiredString('a short label for the bid and its volumes, e.g. "gpu-training"').superRefine((v, ctx) => {
  if (!v.length) return issue(ctx, "must not be empty");
  if (v.length > TASK_NAME_MAX_LENGTH) {
    issue(ctx, `must be at most ${TASK_NAME_MAX_LENGTH} characters (it prefixes the names of the bid, volumes and key), got ${v.length}`);
  }
  if (!NAME_RE.test(v)) {
    const fixed = v.replace(/[^A-Za-z0-9_-]+/g, "-").replace(/^[-_]+|[-_]+$/g, "");
    issue(ctx, 'may contain only letters, digits, "-" and "_", starting with a letter or digit', [], fixed ? [`Use name: ${JSON.stringify(fixed)}.`] : []);
  }
});

function instanceTypeSchema(overrides: Readonly<Record<string, string>>) {
  return z.string({ error: (iss) => `must be a string such as "a100" or "8xh100", not ${typeName(iss.input)}` }).superRefine((v, ctx) => {
    if (Object.prototype.hasOwnProperty.call(overrides, v)) return;
    try {
      parseInstanceType(v);
    } catch (e) {
      if (!(e instanceof FlowError)) throw e;
      issue(ctx, e.message.replace(/\.$/, ""), [], e.suggestions);
    }
  });
}

const minGpuMemoryGbSchema = z
  .number({ error: (iss) => `must be a number of GB, not ${typeName(iss.input)}` })
  .positive("must be more than 0 GB")
  .max(1024, "must be at most 1024 GB per GPU (no GPU has more)");

const argvSchema = z
  .array(z.string({ error: (iss) => `must be a string, not ${typeName(iss.input)} (write numbers as strings: "10")` }))
  .superRefine((argv, ctx) => {
    if (!argv.length) return issue(ctx, "must not be empty: give the program and its arguments");
    if (!argv[0].trim()) return issue(ctx, "must not be empty: the first element is the program to run", [0]);
    if (/\s/.test(argv[0])) {
      issue(
        ctx,
        `${JSON.stringify(argv[0])} contains whitespace, so it would run a program of that exact name`,
        [0],
        [`Split it into arguments (${JSON.stringify(argv[0].trim().split(/\s+/))}) or use shell: ${JSON.stringify(argv.join(" "))}.`],
      );
    }
    argv.forEach((arg, i) => {
      if (arg.includes("\0")) issue(ctx, "must not contain a NUL character", [i]);
    });
  });

const commandLineSchema = z.string().superRefine((v, ctx) => {
  if (!v.trim()) issue(ctx, "must not be empty");
  if (v.includes("\0")) issue(ctx, "must not contain a NUL character");
});

// A list or a string: dispatch on the type, so a list's element errors keep their paths.
const commandSchema = z
  .unknown()
  .transform((v, ctx) => {
    const schema = Array.isArray(v) ? argvSchema : typeof v === "string" ? commandLineSchema : undefined;
    if (!schema) {
      issue(ctx, `must be a list of strings (["python", "train.py"]) or a command line string, not ${typeName(v)}`);
      return z.NEVER;
    }
    const result = schema.safeParse(v);
    if (result.success) return result.data;
    for (const i of result.error.issues) {
      const params = (i as { params?: Record<string, unknown> }).params;
      ctx.addIssue({ code: "custom", message: i.message, path: [...i.path], params });
    }
    return z.NEVER;
  }) as unknown as z.ZodType<string[] | string, string[] | string>;

const scriptSchema = z.string().superRefine((v, ctx) => {
  const content = dedent(v);
  if (!content.trim()) return issue(ctx, "must not be empty: give the script's content");
  if (v.includes("\0")) issue(ctx, "must not contain a NUL character");
  const first = content.split("\n", 1)[0];
  if (first.startsWith("#!") && !/^#!\s*\/\S+/.test(first)) {
    issue(ctx, `its first line ${JSON.stringify(first)} must name an absolute interpreter path`, [], ["Write e.g. #!/usr/bin/env python3 or #!/bin/bash."]);
  }
});

const imageSchema = z.string().superRefine((v, ctx) => {
  if (!v.trim()) return issue(ctx, "must not be empty; omit image to run the command on the host");
  if (v.length > 512 || !IMAGE_RE.test(v)) {
    const lower = v.trim().toLowerCase();
    const hint = IMAGE_RE.test(lower) && lower !== v ? [`Repository names are lowercase: use image: ${JSON.stringify(lower)}.`] : [];
    issue(ctx, 'is not a valid image reference (expected e.g. "nvidia/cuda:12.1.0-runtime-ubuntu22.04" or "ghcr.io/org/app@sha256:...")', [], hint);
  }
});

const envValueSchema = z
  .union([z.string(), z.number(), z.boolean()], {
    error: (iss) => `must be a string (numbers and booleans are converted), not ${typeName(iss.input)}`,
  })
  .transform(String);

const envSchema = z.record(z.string(), envValueSchema).superRefine((env, ctx) => {
  for (const key of Object.keys(env)) {
    if (!ENV_NAME_RE.test(key)) {
      const fixed = key.replace(/[^A-Za-z0-9_]/g, "_").replace(/^(\d)/, "_$1");
      issue(ctx, "is not a valid environment variable name (letters, digits and _, not starting with a digit)", [key], [`Rename it to ${fixed}.`]);
    } else {
      const prefix = reservedEnvPrefix(key);
      if (prefix) {
        issue(ctx, `uses the prefix ${prefix}, which is reserved for variables the Task sets itself (FLOW_NODE_RANK, FLOW_NUM_NODES, ...)`, [key], [
          `Rename it, e.g. to MY_${key}.`,
        ]);
      }
    }
  }
});

const sshKeysSchema = z
  .array(z.string({ error: (iss) => `must be an FCP SSH key id string, not ${typeName(iss.input)}` }), {
    error: (iss) =>
      typeof iss.input === "string" ? `must be a list of key ids: write [${JSON.stringify(iss.input)}]` : `must be a list of FCP SSH key ids, not ${typeName(iss.input)}`,
  })
  .superRefine((keys, ctx) => {
    const seen = new Set<string>();
    keys.forEach((key, i) => {
      if (!key.trim()) return issue(ctx, "must not be empty", [i]);
      if (/^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-|sk-)/.test(key) || key.includes("PRIVATE KEY")) {
        return issue(ctx, "looks like key material, but sshKeys takes FCP key ids (ssh-key_...)", [i], [
          "Create an SshKey resource with publicKey and pass its keyId, or omit sshKeys to have a key generated.",
        ]);
      }
      if (key.includes("/") || key.startsWith("~") || /\.pub$/.test(key)) {
        return issue(ctx, "looks like a file path, but sshKeys takes FCP key ids (ssh-key_...)", [i], [
          "Create an SshKey resource from the file's public key and pass its keyId.",
        ]);
      }
      if (/\s/.test(key)) return issue(ctx, "must not contain whitespace (FCP key ids have none)", [i]);
      if (seen.has(key)) issue(ctx, `repeats ${JSON.stringify(key)}; give each key once`, [i]);
      seen.add(key);
    });
  })
  .transform((keys) => (keys.length ? keys : undefined));

// A volume cannot be mounted where it would hide the system, SSH access or the startup script's
// own state (the same lists as the startup script's check, so a config that parses also builds).
const SYSTEM_TREES = ["/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/proc", "/run", "/sbin", "/sys", "/usr"];
const MOUNT_FORBIDDEN_TREES = [...SYSTEM_TREES, FLOW_STATE_DIR, FLOW_LOG_DIR, "/home/ubuntu/.ssh", "/root/.ssh"];
const MOUNT_FORBIDDEN_EXACT = ["/home", "/home/ubuntu", "/root", "/tmp", "/var", "/var/lib", "/var/log"];
const WORKDIR_FORBIDDEN_TREES = [...SYSTEM_TREES, FLOW_STATE_DIR, FLOW_LOG_DIR];

function absolutePathIssues(v: string, forbiddenTrees: string[], forbiddenExact: string[]): { message: string; suggestions?: string[] } | undefined {
  if (!v.startsWith("/")) {
    return { message: 'must be an absolute path, starting with "/"', suggestions: [`Write ${JSON.stringify(`/${v.replace(/^\.?\/*/, "")}`)}.`] };
  }
  if (!SAFE_PATH_RE.test(v)) return { message: "may contain only letters, digits, '.', '_', '-' and '/' (no spaces or quotes)" };
  if (v.split("/").includes("..")) return { message: 'must not contain ".." segments' };
  const p = normalizePath(v);
  if (p === "/") return { message: "must not be / (the root filesystem)" };
  const tree = forbiddenTrees.find((t) => p === t || p.startsWith(`${t}/`));
  if (tree || forbiddenExact.includes(p)) {
    return { message: `would hide the system directory ${tree ?? p}`, suggestions: ["Use a path of your own, e.g. /data, /mnt/data or /checkpoints."] };
  }
  return undefined;
}

const mountPathSchema = requiredString('an absolute path on the instance, e.g. "/data"')
  .superRefine((v, ctx) => {
    const problem = absolutePathIssues(v, MOUNT_FORBIDDEN_TREES, MOUNT_FORBIDDEN_EXACT);
    if (problem) issue(ctx, problem.message, [], problem.suggestions);
  })
  .transform(normalizePath);

const volumeShape = {
  sizeGb: z
    .number({ error: (iss) => `must be a whole number of GB, not ${typeName(iss.input)}` })
    .int("must be a whole number of GB")
    .min(1, "must be at least 1 GB")
    .max(MAX_VOLUME_SIZE_GB, `must be at most ${MAX_VOLUME_SIZE_GB} GB (FCP's largest volume)`)
    .optional(),
  mountPath: mountPathSchema,
  name: z
    .string()
    .superRefine((v, ctx) => {
      if (!NAME_RE.test(v) || v.length > 128) {
        issue(ctx, 'may contain only letters, digits, "-" and "_" (at most 128), starting with a letter or digit');
      }
    })
    .optional(),
  interface: z.enum(["block", "file"], { error: (iss) => `must be "block" or "file", not ${describe(iss.input)}` }).optional(),
  volumeId: z
    .string()
    .superRefine((v, ctx) => {
      if (!v.trim() || /\s/.test(v)) issue(ctx, "must be an FCP volume id such as vol_abc123 (no whitespace)");
    })
    .optional(),
};

const FIXED_PROPERTY = { sizeGb: "size", interface: "interface", name: "name" } as const;

const volumeSpecSchema = z
  .strictObject(
    volumeShape,
    {
      error: (iss) =>
        iss.code === "unrecognized_keys"
          ? unknownKeysMessage(iss.keys, "volume")
          : `must be an object such as {sizeGb: 100, mountPath: "/data"}, not ${typeName(iss.input)}`,
    },
  )
  .superRefine((v, ctx) => {
    const raw = v as Record<string, unknown>;
    if (raw.volumeId !== undefined) {
      for (const key of ["sizeGb", "interface", "name"] as const) {
        if (raw[key] !== undefined) {
          issue(
            ctx,
            `cannot be given for an existing volume (volumeId is set): its ${FIXED_PROPERTY[key]} is fixed on FCP`,
            [key],
            [`Remove ${key}, or remove volumeId to create a new volume.`],
          );
        }
      }
    } else if (raw.sizeGb === undefined) {
      issue(ctx, "is required for a new volume; to attach an existing volume give its volumeId instead", ["sizeGb"], [
        raw.name !== undefined
          ? "FCP attaches existing volumes by id, not by name: use volumeId (e.g. a Volume resource's volumeId output)."
          : "Give sizeGb (e.g. 100) to create a volume, or volumeId to attach one.",
      ]);
    }
  })
  .transform((v): VolumeSpec =>
    v.volumeId !== undefined
      ? { volumeId: v.volumeId, mountPath: v.mountPath }
      : {
          sizeGb: v.sizeGb!,
          mountPath: v.mountPath,
          ...(v.name !== undefined ? { name: v.name } : {}),
          interface: v.interface ?? "block",
        },
  ) as unknown as z.ZodType<VolumeSpec, VolumeSpecInput>;

const priceSchema = z
  .union([z.number(), z.string()], {
    error: (iss) => `must be dollars per instance-hour, as a number (12.5) or a string ("$12.50"), not ${typeName(iss.input)}`,
  })
  .transform((v, ctx) => {
    try {
      const cents = parsePriceCents(v, "maxPricePerHour");
      if (cents <= 0) {
        issue(ctx, "must be more than $0.00 per instance-hour");
        return z.NEVER;
      }
      return cents;
    } catch (e) {
      if (!(e instanceof FlowError)) throw e;
      issue(ctx, e.message.replace(/^Invalid maxPricePerHour .*?: it /, "").replace(/\.$/, ""), [], e.suggestions);
      return z.NEVER;
    }
  });

const workingDirSchema = z
  .string()
  .superRefine((v, ctx) => {
    const problem = absolutePathIssues(v, WORKDIR_FORBIDDEN_TREES, []);
    if (problem) issue(ctx, problem.message, [], problem.suggestions);
  })
  .transform(normalizePath);

const regionSchema = z.string().superRefine((v, ctx) => {
  if (!REGION_RE.test(v)) {
    const lower = v.trim().toLowerCase();
    issue(ctx, 'is not a region name such as "us-central1-b"', [], REGION_RE.test(lower) ? [`Use region: ${JSON.stringify(lower)}.`] : []);
  }
});

// --- The model ---------------------------------------------------------------------------------

function taskConfigShape(overrides: Readonly<Record<string, string>>) {
  return {
    /**
     * The task's name; the bid, volumes and key FCP creates are named after it.
     *
     * Letters, digits, `-` and `_`, starting with a letter or digit; at most 64 characters.
     */
    name: nameSchema,
    /**
     * The instance type: `"a100"`, `"2xa100"`, `"8xh100"` (count prefix), `"a100-80gb.sxm.1x"`
     * (FCP's name) or an instance type FID `"it_..."`. Not `"A100"`, `"a100x8"` or
     * `"gpu.nvidia.a100"`.
     *
     * Exactly one of `instanceType` and `minGpuMemoryGb`.
     *
     * @default - chosen from `minGpuMemoryGb`
     */
    instanceType: instanceTypeSchema(overrides).optional(),
    /**
     * Capability-based selection: the Task bids on the cheapest instance type on offer whose
     * GPUs each have at least this much memory, priced within `maxPricePerHour`.
     *
     * Exactly one of `instanceType` and `minGpuMemoryGb`.
     *
     * @default - `instanceType` is used
     */
    minGpuMemoryGb: minGpuMemoryGbSchema.optional(),
    /**
     * What to run. A list is exec'd as is, with no shell: `["python", "train.py", "--epochs",
     * "10"]`. A string is a shell command line run by `bash -c` (unlike the seed, which would
     * wrap it into `["python train.py"]`), so `"pip install -r requirements.txt && python
     * train.py"` works.
     *
     * Exactly one of `command`, `shell` and `script`.
     *
     * @default - `shell` or `script` is used
     */
    command: commandSchema.optional(),
    /**
     * A shell command line, run by `bash -c`: `"cd /app && python train.py --epochs 10"`.
     *
     * Exactly one of `command`, `shell` and `script`.
     *
     * @default - `command` or `script` is used
     */
    shell: commandLineSchema.optional(),
    /**
     * A script's content, written to a file on the instance and run. Its `#!` line chooses the
     * interpreter (`#!/bin/bash`, `#!/usr/bin/env python3`); without one it is Python, run with
     * `python3` (the seed's example is Python). Common indentation and leading blank lines are
     * removed, so an indented template literal works.
     *
     * Exactly one of `command`, `shell` and `script`.
     *
     * @default - `command` or `shell` is used
     */
    script: scriptSchema.optional(),
    /**
     * A container image to run the command in (`docker run --gpus all`), with the env, volumes
     * and uploaded code mounted. A `script` without `#!` needs `python3` in the image.
     *
     * @default - the command runs on the host (Ubuntu 22.04 with NVIDIA drivers)
     */
    image: imageSchema.optional(),
    /**
     * Environment variables for the command (the seed's `env`, not `environment`). Names are
     * letters, digits and `_`; `FLOW_*` and `FCP_*` are reserved for the variables the Task
     * sets (`FLOW_NODE_RANK`, `FLOW_NUM_NODES`, `FLOW_MAIN_IP`, ...). Numbers and booleans are
     * converted to strings. Values end up in the bid's startup script, which every member of
     * the FCP project can read: pass credentials another way.
     *
     * @default {}
     */
    env: envSchema.default({}),
    /**
     * FCP SSH key ids (`ssh-key_...`) allowed to log in (plural, the seed's `ssh_keys`).
     *
     * @default - a new key pair is generated; its private key is a secret output
     */
    sshKeys: sshKeysSchema.optional(),
    /**
     * Volumes to create or attach, each mounted at its `mountPath` on every instance.
     * Mount paths are absolute, distinct, and not the uploaded code's `workingDir`.
     *
     * @default []
     */
    volumes: z
      .array(volumeSpecSchema, { error: (iss) => `must be a list of volumes such as [{sizeGb: 100, mountPath: "/data"}], not ${typeName(iss.input)}` })
      .default([]),
    /**
     * The most to pay per instance-hour, in dollars (`12.5`) or as FCP writes it (`"$12.50"`).
     * It is the bid's limit price: the instances run while the spot price is at most this, so
     * the worst hourly cost is `maxPricePerHour × numInstances`.
     *
     * @default - chosen by the Task from the spot price of the instance type it bids on
     */
    maxPricePerHour: priceSchema.optional(),
    /**
     * Hours after which the instance shuts itself down, whatever the command is doing; more
     * than 0 and at most 168 (7 days).
     *
     * @default - no limit: the instance runs until the bid is cancelled
     */
    maxRunTimeHours: z
      .number({ error: (iss) => `must be a number of hours, not ${typeName(iss.input)}` })
      .positive("must be more than 0 hours")
      .max(MAX_RUN_TIME_HOURS, `must be at most ${MAX_RUN_TIME_HOURS} hours (7 days), FCP's limit`)
      .optional(),
    /**
     * Number of instances (nodes) in one all-or-nothing bid. Above 1 the Task exports the
     * cluster env (`FLOW_NODE_RANK`, `MASTER_ADDR`, ...) for `torchrun`; new volumes must then
     * use `interface: "file"`. Changing it replaces the bid.
     *
     * @default 1
     */
    numInstances: z
      .number({ error: (iss) => `must be a whole number, not ${typeName(iss.input)}` })
      .int("must be a whole number")
      .min(1, "must be at least 1")
      .max(MAX_NUM_INSTANCES, `must be at most ${MAX_NUM_INSTANCES}`)
      .default(1),
    /**
     * FCP region of the bid and its new volumes, e.g. `"us-central1-b"`.
     *
     * @default - the `fcp:region` stack config, then `FCP_REGION`/`FLOW_REGION`
     */
    region: regionSchema.optional(),
    /**
     * Absolute directory the command runs in, where uploaded code is extracted.
     *
     * @default "/workspace"
     */
    workingDir: workingDirSchema.default(DEFAULT_WORKING_DIR),
    /**
     * Upload `codeDir` (tar.gz inside the startup script, honouring `.flowignore`) and extract
     * it into `workingDir`. With `image` the code is bind-mounted into the container. Turn it
     * off for code baked into the image or cloned by the command.
     *
     * @default true
     */
    uploadCode: z.boolean({ error: (iss) => `must be true or false, not ${describe(iss.input)}` }).default(true),
    /**
     * Local directory to upload, relative to the Pulumi program's directory or absolute.
     * Only with `uploadCode`.
     *
     * @default - the program's directory (`process.cwd()`, resolved by the Task)
     */
    codeDir: z
      .string()
      .superRefine((v, ctx) => {
        if (!v.trim()) issue(ctx, "must not be empty; omit it to upload the program's directory");
      })
      .optional(),
    /**
     * Priority from 0 to 100, kept from the seed's TaskConfig. FCP's auction allocates by limit
     * price alone, so it does not change scheduling; tooling may read it.
     *
     * @default 50
     */
    priority: z
      .number({ error: (iss) => `must be a whole number from 0 to 100, not ${typeName(iss.input)}` })
      .int("must be a whole number from 0 to 100")
      .min(0, "must be at least 0")
      .max(100, "must be at most 100")
      .default(50),
  };
}

type ShapeOutput = z.output<z.ZodObject<ReturnType<typeof taskConfigShape>>>;

function buildSchema(overrides: Readonly<Record<string, string>>) {
  return z
    .strictObject(taskConfigShape(overrides), {
      error: (iss) =>
        iss.code === "unrecognized_keys" ? unknownKeysMessage(iss.keys, "task") : `must be an object of TaskConfig fields, not ${typeName(iss.input)}`,
    })
    .superRefine(crossFieldRules, { when: () => true })
    .transform(finalize);
}

/**
 * The TaskConfig model (camelCase only). Parses what users write into a {@link TaskConfig};
 * unknown keys are rejected with "did you mean". Use {@link parseTaskConfig} for the
 * snake_case spelling and a `ValidationError` listing every problem.
 */
export const taskConfigSchema = buildSchema({});

/** What users write: every field of the model, camelCase. */
export type TaskConfigInput = z.input<typeof taskConfigSchema>;

// Rules between fields. They run even when some fields failed, so every problem is reported at
// once; values that failed their own schema are skipped (they may still be raw input).
function crossFieldRules(v: ShapeOutput, ctx: Ctx): void {
  if (!isPlainObject(v)) return;
  const raw = v as Record<string, unknown>;
  const given = (k: string) => raw[k] !== undefined;

  if (given("instanceType") && given("minGpuMemoryGb")) {
    issue(ctx, "cannot be combined with instanceType: give exactly one of the two", ["minGpuMemoryGb"]);
  } else if (!given("instanceType") && !given("minGpuMemoryGb")) {
    issue(
      ctx,
      'is required: give exactly one of instanceType (e.g. "a100", "8xh100", "a100-80gb.sxm.1x") or minGpuMemoryGb (e.g. 80, the memory each GPU must have)',
      ["instanceType"],
    );
  }

  const runs = (["command", "shell", "script"] as const).filter(given);
  if (!runs.length) {
    issue(ctx, 'is required: give one of command (["python", "train.py"], or a command line string), shell (a command line) or script (a script\'s content)', ["command"]);
  }
  for (const extra of runs.slice(1)) {
    issue(ctx, `cannot be combined with ${runs[0]}: give exactly one of command, shell and script`, [extra]);
  }

  const numInstances = typeof raw.numInstances === "number" ? raw.numInstances : 1;
  const uploadCode = raw.uploadCode !== false;
  const workingDir = typeof raw.workingDir === "string" && raw.workingDir.startsWith("/") ? normalizePath(raw.workingDir) : undefined;

  startupEnvRules(raw.env, numInstances, ctx);

  if (raw.codeDir !== undefined && raw.uploadCode === false) {
    issue(ctx, "is set but uploadCode is false, so nothing would be uploaded", ["codeDir"], ["Remove codeDir, or set uploadCode to true."]);
  }

  if (!Array.isArray(raw.volumes)) return;
  const mounts: { path: string; index: number }[] = [];
  const ids = new Map<string, number>();
  const names = new Map<string, number>();
  raw.volumes.forEach((vol: unknown, i: number) => {
    if (!isVolumeSpec(vol)) return;
    if (!isExistingVolume(vol)) {
      if (vol.interface === "block" && numInstances > 1) {
        issue(
          ctx,
          `is "block", but FCP cannot attach a block volume to a bid of ${numInstances} instances`,
          ["volumes", i, "interface"],
          ['Use interface: "file" for a volume shared by the cluster, or numInstances: 1.'],
        );
      }
      if (vol.name !== undefined) {
        const first = names.get(vol.name);
        if (first !== undefined) issue(ctx, `repeats the name of volumes[${first}]; volume names must differ`, ["volumes", i, "name"]);
        else names.set(vol.name, i);
      }
    } else {
      const first = ids.get(vol.volumeId);
      if (first !== undefined) issue(ctx, `attaches the same volume as volumes[${first}]; attach each volume once`, ["volumes", i, "volumeId"]);
      else ids.set(vol.volumeId, i);
    }
    if (uploadCode && workingDir !== undefined && vol.mountPath === workingDir) {
      issue(
        ctx,
        `is the workingDir ${workingDir}, where the uploaded code is extracted; the volume would hide it or be overwritten`,
        ["volumes", i, "mountPath"],
        ['Mount the volume elsewhere (e.g. "/data"), or set uploadCode: false to use code already on the volume.'],
      );
    }
    for (const m of mounts) {
      if (m.path === vol.mountPath) {
        issue(ctx, `is also the mountPath of volumes[${m.index}]; each volume needs its own path`, ["volumes", i, "mountPath"]);
      } else if (m.path.startsWith(`${vol.mountPath}/`)) {
        issue(
          ctx,
          `contains volumes[${m.index}].mountPath ${m.path}, which is mounted first and would be hidden`,
          ["volumes", i, "mountPath"],
          ["List the outer volume before the inner one."],
        );
      }
    }
    mounts.push({ path: vol.mountPath, index: i });
  });
}

// The startup script's own env rules (the FCP API key's usual names, variables bash keeps
// read-only, the cluster's rendezvous names on a cluster, NUL, invalid Unicode), checked now
// rather than at deploy. Names this model already refused are not reported twice.
function startupEnvRules(env: unknown, numInstances: number, ctx: Ctx): void {
  if (!isPlainObject(env) || !Object.values(env).every((value) => typeof value === "string")) return;
  const spec = { taskName: "task", env, run: { command: "true" }, cluster: numInstances > 1 ? { numNodes: numInstances } : undefined };
  for (const problem of checkStartupSpec(spec)) {
    const name = problem.field.startsWith("env.") ? problem.field.slice(4) : undefined;
    if (name === undefined || !(name in env) || !ENV_NAME_RE.test(name) || reservedEnvPrefix(name)) continue;
    issue(ctx, problem.message, ["env", name]);
  }
}

function reservedEnvPrefix(name: string): string | undefined {
  return RESERVED_ENV_PREFIXES.find((p) => name.toUpperCase().startsWith(p));
}

function isVolumeSpec(v: unknown): v is VolumeSpec {
  if (!v || typeof v !== "object") return false;
  const o = v as Record<string, unknown>;
  return typeof o.mountPath === "string" && (typeof o.volumeId === "string" || (typeof o.sizeGb === "number" && typeof o.interface === "string"));
}

function finalize(v: ShapeOutput): TaskConfig {
  const out: TaskConfig = {
    name: v.name,
    entrypoint: entrypointOf(v),
    env: v.env,
    volumes: v.volumes,
    numInstances: v.numInstances,
    workingDir: v.workingDir,
    uploadCode: v.uploadCode,
    priority: v.priority,
  };
  if (v.instanceType !== undefined) out.instanceType = v.instanceType;
  if (v.minGpuMemoryGb !== undefined) out.minGpuMemoryGb = v.minGpuMemoryGb;
  if (v.image !== undefined) out.image = v.image;
  if (v.sshKeys !== undefined) out.sshKeys = v.sshKeys;
  if (v.maxPricePerHour !== undefined) {
    out.maxPricePerHour = formatPrice(v.maxPricePerHour);
    out.maxPricePerHourCents = v.maxPricePerHour;
  }
  if (v.maxRunTimeHours !== undefined) out.maxRunTimeHours = v.maxRunTimeHours;
  if (v.region !== undefined) out.region = v.region;
  if (v.codeDir !== undefined) out.codeDir = v.codeDir;
  return out;
}

function entrypointOf(v: ShapeOutput): TaskEntrypoint {
  if (Array.isArray(v.command)) return { kind: "argv", argv: [...v.command] };
  if (typeof v.command === "string") return { kind: "shell", commandLine: v.command.trim() };
  if (v.shell !== undefined) return { kind: "shell", commandLine: v.shell.trim() };
  const content = dedent(v.script!);
  const first = content.split("\n", 1)[0];
  const interpreter = first.startsWith("#!") ? first.slice(2).trim().split(/\s+/) : [...DEFAULT_SCRIPT_INTERPRETER];
  return { kind: "script", content: content.endsWith("\n") ? content : `${content}\n`, interpreter };
}

// --- Parsing, with the seed's spellings and mistakes ------------------------------------------------

const DEFAULT_SHAPE: Record<string, z.ZodType> = taskConfigShape({});
const TASK_KEYS = Object.keys(DEFAULT_SHAPE);
const VOLUME_KEYS = Object.keys(volumeShape);

interface KnownMistake {
  /** The field meant, or undefined for a seed field this model deliberately does not support. */
  field?: string;
  message?: string;
}

// Keyed by the key lowercased without `_`/`-`, so `max_price`, `maxPrice` and `MAX-PRICE` match.
const TASK_MISTAKES: Record<string, KnownMistake> = {
  ...mistakes("env", "environment variables go in env, not environment",
    "environment environmentvariables envvars environ envs variables envvariables"),
  ...mistakes("sshKeys", "always plural: a list of FCP key ids",
    "sshkey sshkeyid sshkeyids keys key sshpublickeys publickeys"),
  ...mistakes("maxPricePerHour", "the limit price per instance-hour, in dollars",
    "maxprice price limitprice bidprice maxbid priceperhour maxpriceperhr maxhourlyprice budget"),
  ...mistakes("numInstances", "the number of instances (nodes) in the bid",
    "instancecount instances instancequantity quantity count nodes numnodes nodecount replicas numinstance"),
  ...mistakes("instanceType", "e.g. \"a100\", \"8xh100\"",
    "gpu gpus gputype instance machinetype accelerator type instancetypes"),
  ...mistakes("minGpuMemoryGb", "the memory each GPU must have, in GB",
    "mingpumemory gpumemory gpumemorygb mingpumem gpumem mingpumemorygib"),
  ...mistakes("maxRunTimeHours", "in hours, at most 168",
    "maxruntime maxruntimehrs timeout timeouthours maxhours maxduration maxdurationhours runtimehours walltime maxtimehours"),
  ...mistakes("workingDir", "where the command runs and code is extracted",
    "workdir cwd workingdirectory workdirectory"),
  ...mistakes("command", "or shell, or script",
    "cmd entrypoint args run exec commands"),
  ...mistakes("image", "the container image to run in",
    "dockerimage container containerimage docker imagename img"),
  ...mistakes("uploadCode", "true or false",
    "upload synccode codeupload uploaddir"),
  ...mistakes("codeDir", "the local directory to upload",
    "codedirectory sourcedir srcdir codepath projectdir localdir sourcedirectory"),
  ...mistakes("volumes", "a list, even for one volume",
    "volume vols disks disk storage volumespecs"),
  ...mistakes("region", "e.g. \"us-central1-b\"",
    "zone location availabilityzone regions"),
  // The seed's "additional fields": refused with the reason, never silently ignored.
  ...unsupported(
    "is not supported: FCP spot instances can be preempted at any time, so no minimum run time can be guaranteed; " +
      "remove it and checkpoint to a volume instead",
    "minruntimehours minruntime",
  ),
  ...unsupported("is not supported: FCP bids have no deadline; use maxRunTimeHours to bound the run", "deadlinehours deadline"),
  ...unsupported(
    "is not supported: data mounts (s3://, volume://) are not part of the Task; use volumes, or download data in the command",
    "mounts data",
  ),
};

const VOLUME_MISTAKES: Record<string, KnownMistake> = {
  ...mistakes("mountPath", "an absolute path on the instance",
    "mountpoint path target mount mountdir dest destination mountat"),
  ...mistakes("sizeGb", "the size of a new volume, in GB",
    "size capacity capacitygb sizegib disksize disksizegb gb sizeingb"),
  ...mistakes("volumeId", "the FCP id of an existing volume",
    "id volume fid volumefid existingvolumeid existingvolume"),
  ...mistakes("interface", '"block" or "file"',
    "diskinterface type storagetype kind volumetype storageinterface"),
  ...unsupported("is not supported: FCP volumes have no performance options; remove it", "iops throughput performance"),
  ...unsupported("is not supported: FCP mounts volumes read-write", "readonly"),
};

function unsupported(message: string, keys: string): Record<string, KnownMistake> {
  return Object.fromEntries(keys.split(" ").map((k) => [k, { message }]));
}

function mistakes(field: string, message: string, keys: string): Record<string, KnownMistake> {
  return Object.fromEntries(keys.split(" ").map((k) => [k, { field, message }]));
}

interface UnknownKeyReport {
  message: string;
  suggestions: string[];
  /** The field the key was meant as, when known. */
  field?: string;
}

/** Explains an unknown key: a seed mistake, a snake_case spelling, or a near miss. */
export function explainUnknownKey(key: string, level: "task" | "volume", value?: unknown): UnknownKeyReport {
  const known = level === "task" ? TASK_KEYS : VOLUME_KEYS;
  const table = level === "task" ? TASK_MISTAKES : VOLUME_MISTAKES;
  const camel = snakeToCamel(key);
  if (camel !== key && known.includes(camel)) {
    return { field: camel, message: `is the snake_case spelling of ${camel}; the TypeScript model is camelCase`, suggestions: [`Write ${camel} (parseTaskConfig also reads ${key}).`] };
  }
  const mistake = table[squash(key)];
  if (mistake && !mistake.field) return { message: mistake.message!, suggestions: [] };
  const field = mistake?.field ?? nearestKey(key, known, table);
  if (!field) {
    return { message: "is not a field of " + (level === "task" ? "TaskConfig" : "a volume"), suggestions: [`Known fields: ${known.join(", ")}.`] };
  }
  const suggestions = [`Did you mean ${field}? ${mistakeValueHint(field, value, level)}`.trim()];
  return { field, message: `is not a field; did you mean ${field}?${mistake?.message ? ` (${mistake.message})` : ""}`, suggestions };
}

// The exact line to write instead, when the value fits the field meant. For `gpu: "a100:4"`
// (the seed's flow.submit form) that is `instanceType: "4xa100"`.
function mistakeValueHint(field: string, value: unknown, level: "task" | "volume"): string {
  let candidate = value;
  if (field === "instanceType" && typeof value === "string") {
    const m = /^\s*([A-Za-z]+\d+[A-Za-z]*)\s*(?::\s*(\d+))?\s*$/.exec(value);
    if (m) candidate = m[2] ? `${m[2]}x${m[1].toLowerCase()}` : m[1].toLowerCase();
  }
  if (field === "sshKeys" && typeof value === "string") candidate = [value];
  if (field === "volumes" && isPlainObject(value)) return "Write volumes: [ ... ], a list.";
  if (candidate === undefined || (typeof candidate === "object" && !Array.isArray(candidate))) return "";
  const shape: Record<string, z.ZodType> = level === "task" ? DEFAULT_SHAPE : volumeShape;
  const fits = shape[field]?.safeParse(candidate).success;
  const shown = JSON.stringify(candidate);
  return fits && shown.length <= 80 ? `Write ${field}: ${shown}.` : "";
}

function unknownKeysMessage(keys: string[], level: "task" | "volume"): string {
  return keys.map((k) => `${k} ${explainUnknownKey(k, level).message}`).join("; ");
}

// The closest known key (or known mistake) within a small edit distance: `comand`, `imgae`,
// `enviroment`. Short keys allow fewer edits, so `foo` does not become `env`.
function nearestKey(key: string, known: string[], table: Record<string, KnownMistake>): string | undefined {
  const k = squash(key);
  const spellings: [string, string][] = known.map((c) => [squash(c), c]);
  for (const [mistake, { field }] of Object.entries(table)) if (field) spellings.push([mistake, field]);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const [spelling, field] of spellings) {
    const d = levenshtein(k, spelling);
    if (d <= Math.min(2, Math.floor(spelling.length / 3)) && d < bestDistance) {
      best = field;
      bestDistance = d;
    }
  }
  return best;
}

/** The outcome of {@link validateTaskConfig}: a config, or every problem found. */
export interface TaskConfigValidation {
  config?: TaskConfig;
  /** One entry per problem; `field` is a path as the user wrote it (`volumes[0].mount_path`). */
  errors: FieldError[];
  /** What to do about them, "did you mean" first. */
  suggestions: string[];
}

/**
 * Validates a TaskConfig written in camelCase or the seed's snake_case (`instance_type`,
 * `max_price_per_hour`, volume `mount_path`, ...) without throwing. For a Pulumi component
 * validating known values: turn `errors` into messages or check failures.
 */
export function validateTaskConfig(input: unknown, options: TaskConfigParseOptions = {}): TaskConfigValidation {
  if (!isPlainObject(input)) {
    return {
      errors: [{ field: "(config)", message: `must be an object of TaskConfig fields, not ${typeName(input)}` }],
      suggestions: ['Write e.g. {name: "train", instanceType: "a100", command: ["python", "train.py"]}.'],
    };
  }
  const normalized = normalizeKeys(input);
  const schema = options.instanceTypeOverrides ? buildSchema(options.instanceTypeOverrides) : taskConfigSchema;
  const result = schema.safeParse(normalized.value);
  const errors: FieldError[] = [];
  const suggestions: string[] = [];
  if (!result.success) {
    for (const iss of result.error.issues) {
      if (iss.code === "unrecognized_keys") {
        for (const key of iss.keys) {
          const path = [...iss.path, key];
          const value = valueAt(normalized.value, path);
          const report = explainUnknownKey(key, iss.path.length ? "volume" : "task", value);
          errors.push(fieldError(normalized, path, report.message, value));
          suggestions.push(...report.suggestions);
        }
        continue;
      }
      errors.push(fieldError(normalized, iss.path, iss.message, valueAt(normalized.value, iss.path)));
      const params = (iss as { params?: { suggestions?: unknown } }).params;
      if (Array.isArray(params?.suggestions)) suggestions.push(...params.suggestions.map(String));
    }
  }
  // Spelling clashes are quoted exactly as written, so they are not restyled.
  const all = [...normalized.errors, ...errors.map((e) => ({ ...e, message: restyle(e.message, normalized.snake) }))];
  const unique = [...new Set(suggestions.map((s) => restyle(s, normalized.snake)))];
  if (all.length) return { errors: all, suggestions: unique };
  return { config: result.data, errors: [], suggestions: [] };
}

/**
 * Parses a TaskConfig written in camelCase or the seed's snake_case. Throws one
 * `ValidationError` listing every problem (its `fieldErrors`), with "did you mean" suggestions
 * for the seed's common mistakes (`environment`, `ssh_key`, `max_price`, `instance_count`, ...).
 *
 * @example
 * const config = parseTaskConfig({
 *   name: "gpu-training",
 *   instanceType: "8xh100",
 *   command: ["torchrun", "--nproc_per_node=8", "train.py"],
 *   volumes: [{ sizeGb: 500, mountPath: "/data", interface: "file" }],
 *   maxPricePerHour: "$25.00",
 *   numInstances: 2,
 * });
 */
export function parseTaskConfig(input: unknown, options: TaskConfigParseOptions = {}): TaskConfig {
  const { config, errors, suggestions } = validateTaskConfig(input, options);
  if (config) return config;
  const name = isPlainObject(input) && typeof input.name === "string" ? ` ${JSON.stringify(input.name)}` : "";
  const lines = errors.map((e) => {
    const quoted = typeof e.value === "string" && e.message.includes(JSON.stringify(e.value));
    const shown = e.value === undefined || quoted ? "" : ` (got ${preview(e.value)})`;
    return `  - ${e.field}: ${e.message}${shown}`;
  });
  throw new ValidationError(`Invalid TaskConfig${name}: ${errors.length} problem${errors.length === 1 ? "" : "s"}:\n${lines.join("\n")}`, {
    field: errors.length === 1 ? errors[0].field : undefined,
    fieldErrors: errors,
    suggestions,
  });
}

// --- Key normalisation ---------------------------------------------------------------------------

interface Normalized {
  value: Record<string, unknown>;
  /** `"" + camel` → as written, `"volumes.0." + camel` → as written. */
  written: Map<string, string>;
  snake: boolean;
  errors: FieldError[];
}

// Renames the seed's snake_case spellings to the model's camelCase, remembering what the user
// wrote so errors quote their own spelling. Unknown keys are left for the schema to explain.
function normalizeKeys(input: Record<string, unknown>): Normalized {
  const out: Normalized = { value: {}, written: new Map(), snake: false, errors: [] };
  out.value = renameKeys(input, TASK_KEYS, "", out);
  const volumes = out.value.volumes;
  if (Array.isArray(volumes)) {
    out.value.volumes = volumes.map((v, i) => (isPlainObject(v) ? renameKeys(v, VOLUME_KEYS, `volumes.${i}.`, out) : v));
  }
  return out;
}

function renameKeys(obj: Record<string, unknown>, known: string[], prefix: string, out: Normalized): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    const camel = known.includes(key) ? key : snakeToCamel(key);
    const target = known.includes(camel) ? camel : key;
    if (target !== key) out.snake = true;
    const earlier = out.written.get(prefix + target);
    if (earlier !== undefined) {
      out.errors.push({ field: displayPrefix(prefix) + key, message: `is the same field as ${earlier}, given twice; keep one of the two spellings` });
      continue;
    }
    out.written.set(prefix + target, key);
    result[target] = value;
  }
  return result;
}

function displayPrefix(prefix: string): string {
  return prefix.replace(/^volumes\.(\d+)\.$/, "volumes[$1].");
}

function fieldError(n: Normalized, path: readonly PropertyKey[], message: string, value: unknown): FieldError {
  const error: FieldError = { field: displayPath(n, path), message };
  // Env values and scripts may hold credentials: never copy them into an error.
  const sensitive = path[0] === "env" || path[0] === "script" || path[0] === "shell" || path[0] === "command";
  if (!sensitive && value !== undefined && (typeof value !== "object" || value === null)) error.value = value;
  return error;
}

function displayPath(n: Normalized, path: readonly PropertyKey[]): string {
  if (!path.length) return "(config)";
  let out = "";
  let prefix = "";
  path.forEach((seg, i) => {
    if (typeof seg === "number") {
      out += `[${seg}]`;
      prefix += `${seg}.`;
      return;
    }
    const key = String(seg);
    const known = (i === 0 && TASK_KEYS.includes(key)) || (path[0] === "volumes" && i === 2 && VOLUME_KEYS.includes(key));
    const written = n.written.get(prefix + key) ?? (known && n.snake ? camelToSnake(key) : key);
    if (i === 0) out = written;
    else if (path[0] === "env" && i === 1) out += ENV_NAME_RE.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
    else out += `.${written}`;
    prefix += `${key}.`;
  });
  return out;
}

// Messages name fields in camelCase; a user writing snake_case reads their own spelling.
const RENAMES = [...TASK_KEYS, ...VOLUME_KEYS].filter((k) => camelToSnake(k) !== k).map((k) => [new RegExp(`\\b${k}\\b`, "g"), camelToSnake(k)] as const);
function restyle(text: string, snake: boolean): string {
  if (!snake) return text;
  return RENAMES.reduce((t, [re, snakeName]) => t.replace(re, snakeName), text);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return cur;
}

// --- Small helpers ---------------------------------------------------------------------------

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function typeName(v: unknown): string {
  if (v === undefined) return "undefined";
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "an object";
  return `${typeof v} ${preview(v)}`;
}

function describe(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : typeName(v);
}

function preview(v: unknown): string {
  const s = typeof v === "string" ? JSON.stringify(v) : String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function normalizePath(p: string): string {
  const n = posix.normalize(p);
  return n.length > 1 ? n.replace(/\/+$/, "") : n;
}

function snakeToCamel(key: string): string {
  return key.replace(/[_-]+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
}

function camelToSnake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function squash(key: string): string {
  return key.toLowerCase().replace(/[_-]/g, "");
}

// Edit distance counting a swap of neighbours as one edit (`imgae` is one away from `image`).
function levenshtein(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

// Removes leading blank lines, trailing whitespace and the indentation common to every line.
function dedent(text: string): string {
  const lines = text.replace(/\r\n/g, "\n").replace(/^\s*\n/, "").replace(/\s+$/, "").split("\n");
  const indents = lines.filter((l) => l.trim()).map((l) => /^[ \t]*/.exec(l)![0].length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(Math.min(cut, /^[ \t]*/.exec(l)![0].length))).join("\n");
}

// Docker's reference grammar: [host[:port]/]path[:tag][@digest], lowercase repository path.
function buildImageReferenceRe(): RegExp {
  const label = "[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?";
  const host = `(?:${label}(?:\\.${label})*(?::[0-9]+)?/)`;
  const component = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
  const tag = "(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})";
  const digest = "(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})";
  return new RegExp(`^${host}?${component}(?:/${component})*${tag}?${digest}?$`);
}
