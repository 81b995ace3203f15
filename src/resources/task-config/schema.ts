// The TaskConfig model: the documented shape, strict about unknown keys, with the cross-field rules,
// turned into a TaskConfig.
import { z } from "zod";
import { formatPrice } from "../../fcp-api/price";
import { crossFieldRules } from "./cross-field-rules";
import { typeName } from "./describe-value";
import { explainUnknownKey as explainKey, unknownKeysMessage, type UnknownKeyReport } from "./did-you-mean";
import { entrypointOf } from "./entrypoint";
import { KNOWN_SHAPES, taskConfigShape } from "./shape";
import type { TaskConfig } from "./types";

type ShapeOutput = z.output<z.ZodObject<ReturnType<typeof taskConfigShape>>>;

export function buildSchema(overrides: Readonly<Record<string, string>>) {
  return z
    .strictObject(taskConfigShape(overrides), {
      error: (iss) =>
        iss.code === "unrecognized_keys" ? unknownKeysMessage(KNOWN_SHAPES, iss.keys, "task") : `must be an object of TaskConfig fields, not ${typeName(iss.input)}`,
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
    maxPricePerHour: formatPrice(v.maxPricePerHour),
    maxPricePerHourCents: v.maxPricePerHour,
  };
  if (v.instanceType !== undefined) out.instanceType = v.instanceType;
  if (v.minGpuMemoryGb !== undefined) out.minGpuMemoryGb = v.minGpuMemoryGb;
  if (v.image !== undefined) out.image = v.image;
  if (v.sshKeys !== undefined) out.sshKeys = v.sshKeys;
  if (v.maxRunTimeHours !== undefined) out.maxRunTimeHours = v.maxRunTimeHours;
  if (v.region !== undefined) out.region = v.region;
  if (v.codeDir !== undefined) out.codeDir = v.codeDir;
  return out;
}

/** Explains an unknown key: a seed mistake, a snake_case spelling, or a near miss. */
export function explainUnknownKey(key: string, level: "task" | "volume", value?: unknown): UnknownKeyReport {
  return explainKey(KNOWN_SHAPES, key, level, value);
}
