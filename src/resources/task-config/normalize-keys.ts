// The seed's snake_case spelling: keys renamed to the model's camelCase, and errors that quote the
// user's own spelling back (`volumes[0].mount_path`, not `volumes.0.mountPath`).
import type { FieldError } from "../../fcp-api/errors";
import { ENV_NAME_RE } from "../../startup/env-rules";
import { isPlainObject } from "./describe-value";
import { camelToSnake, snakeToCamel } from "./key-case";
import { TASK_KEYS, VOLUME_KEYS } from "./shape";

export interface Normalized {
  value: Record<string, unknown>;
  /** `"" + camel` → as written, `"volumes.0." + camel` → as written. */
  written: Map<string, string>;
  snake: boolean;
  errors: FieldError[];
}

// Renames the seed's snake_case spellings to the model's camelCase, remembering what the user
// wrote so errors quote their own spelling. Unknown keys are left for the schema to explain.
export function normalizeKeys(input: Record<string, unknown>): Normalized {
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

export function fieldError(n: Normalized, path: readonly PropertyKey[], message: string, value: unknown): FieldError {
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
export function restyle(text: string, snake: boolean): string {
  if (!snake) return text;
  return RENAMES.reduce((t, [re, snakeName]) => t.replace(re, snakeName), text);
}

export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return cur;
}

