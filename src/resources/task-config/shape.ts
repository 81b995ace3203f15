// The documented shape of a TaskConfig: every field with its schema, its doc and its default, as
// users read them in their editor. The volume spec's rules live here too, beside its fields.
import { z } from "zod";
import { MAX_RUN_TIME_HOURS } from "../../startup/constants";
import { describe, typeName } from "./describe-value";
import { unknownKeysMessage, type KnownShapes } from "./did-you-mean";
import {
  commandLineSchema,
  commandSchema,
  envSchema,
  imageSchema,
  instanceTypeSchema,
  minGpuMemoryGbSchema,
  nameSchema,
  priceSchema,
  regionSchema,
  scriptSchema,
  sshKeysSchema,
  volumeShape,
  workingDirSchema,
} from "./field-schemas";
import { DEFAULT_WORKING_DIR, MAX_NUM_INSTANCES } from "./limits";
import type { VolumeSpec, VolumeSpecInput } from "./types";
import { issue } from "./zod-issue";

const FIXED_PROPERTY = { sizeGb: "size", interface: "interface", name: "name" } as const;

export const volumeSpecSchema = z
  .strictObject(
    volumeShape,
    {
      error: (iss) =>
        iss.code === "unrecognized_keys"
          ? unknownKeysMessage(KNOWN_SHAPES, iss.keys, "volume")
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

/** The TaskConfig fields; `overrides` are instance type names accepted besides the seed's spellings. */
export function taskConfigShape(overrides: Readonly<Record<string, string>>) {
  return {
    /**
     * The task's name; the bid, volumes and key FCP creates are named after it.
     *
     * Letters, digits, `-` and `_`, starting with a letter or digit; at most 63 characters.
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
     * the worst hourly cost is `maxPricePerHour × numInstances`. Required: FCP bids need a
     * limit price, and the Task never picks one for you.
     */
    maxPricePerHour: priceSchema,
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

/** The fields "did you mean" compares unknown keys with (custom instance type names aside). */
export const KNOWN_SHAPES: KnownShapes = { task: taskConfigShape({}), volume: volumeShape };
export const TASK_KEYS = Object.keys(KNOWN_SHAPES.task);
export const VOLUME_KEYS = Object.keys(KNOWN_SHAPES.volume);
