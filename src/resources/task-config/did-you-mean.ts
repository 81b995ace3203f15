// "Did you mean": the seed's documented field-name mistakes, snake_case spellings and near misses,
// each explained with the field meant and, when the value fits it, the exact line to write.
import type { z } from "zod";
import { isPlainObject } from "./describe-value";
import { levenshtein } from "./edit-distance";
import { snakeToCamel } from "./key-case";

/** The fields of a TaskConfig and of one of its volumes, by level. */
export interface KnownShapes {
  task: Record<string, z.ZodType>;
  volume: Record<string, z.ZodType>;
}

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

export interface UnknownKeyReport {
  message: string;
  suggestions: string[];
  /** The field the key was meant as, when known. */
  field?: string;
}

/** Explains an unknown key: a seed mistake, a snake_case spelling, or a near miss. */
export function explainUnknownKey(shapes: KnownShapes, key: string, level: "task" | "volume", value?: unknown): UnknownKeyReport {
  const known = Object.keys(shapes[level]);
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
  const suggestions = [`Did you mean ${field}? ${mistakeValueHint(shapes[level], field, value)}`.trim()];
  return { field, message: `is not a field; did you mean ${field}?${mistake?.message ? ` (${mistake.message})` : ""}`, suggestions };
}

// The exact line to write instead, when the value fits the field meant. For `gpu: "a100:4"`
// (the seed's flow.submit form) that is `instanceType: "4xa100"`.
function mistakeValueHint(shape: Record<string, z.ZodType>, field: string, value: unknown): string {
  let candidate = value;
  if (field === "instanceType" && typeof value === "string") {
    const m = /^\s*([A-Za-z]+\d+[A-Za-z]*)\s*(?::\s*(\d+))?\s*$/.exec(value);
    if (m) candidate = m[2] ? `${m[2]}x${m[1].toLowerCase()}` : m[1].toLowerCase();
  }
  if (field === "sshKeys" && typeof value === "string") candidate = [value];
  if (field === "volumes" && isPlainObject(value)) return "Write volumes: [ ... ], a list.";
  if (candidate === undefined || (typeof candidate === "object" && !Array.isArray(candidate))) return "";
  const fits = shape[field]?.safeParse(candidate).success;
  const shown = JSON.stringify(candidate);
  return fits && shown.length <= 80 ? `Write ${field}: ${shown}.` : "";
}

/** One line for a zod `unrecognized_keys` issue: each key with its explanation. */
export function unknownKeysMessage(shapes: KnownShapes, keys: string[], level: "task" | "volume"): string {
  return keys.map((k) => `${k} ${explainUnknownKey(shapes, k, level).message}`).join("; ");
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

function squash(key: string): string {
  return key.toLowerCase().replace(/[_-]/g, "");
}
