// Property values as they travel on Pulumi's wire: plain JSON, plus three sentinels the engine
// must understand (secrets, unknowns, and resource references it never advertises support for).

import { specialSecretSig, specialSigKey, unknownValue } from "@pulumi/pulumi/runtime/rpc";

/** Key that marks a special value inside an object (Pulumi's `specialSigKey`). */
export const SIG_KEY = specialSigKey;
/** Signature of a secret value: `{ [SIG_KEY]: SECRET_SIG, value }`. */
export const SECRET_SIG = specialSecretSig;
/**
 * The string Pulumi uses for a value that is not known yet (during preview).
 *
 * Stack outputs and preview results carry it where a value is computed by a create or update
 * that preview does not perform; test with {@link isUnknown}.
 */
export const UNKNOWN = unknownValue;

export type PropertyValue = null | boolean | number | string | PropertyValue[] | PropertyMap;
export interface PropertyMap {
  [key: string]: PropertyValue;
}

/** Whether a value is Pulumi's unknown sentinel. */
export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN;
}

export function isObject(value: unknown): value is PropertyMap {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function isSecret(value: unknown): value is PropertyMap & { value: PropertyValue } {
  return isObject(value) && value[SIG_KEY] === SECRET_SIG;
}

export function makeSecret(value: PropertyValue): PropertyValue {
  return isSecret(value) ? value : { [SIG_KEY]: SECRET_SIG, value };
}

/** The value with every secret wrapper removed, at any depth (what a provider sees). */
export function unwrapSecrets(value: PropertyValue): PropertyValue {
  if (isSecret(value)) {
    return unwrapSecrets(value.value ?? null);
  }
  if (Array.isArray(value)) {
    return value.map(unwrapSecrets);
  }
  if (isObject(value)) {
    const out: PropertyMap = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = unwrapSecrets(v);
    }
    return out;
  }
  return value;
}

export function unwrapMap(map: PropertyMap): PropertyMap {
  return unwrapSecrets(map) as PropertyMap;
}

export function containsSecret(value: PropertyValue): boolean {
  if (isSecret(value)) {
    return true;
  }
  if (Array.isArray(value)) {
    return value.some(containsSecret);
  }
  if (isObject(value)) {
    return Object.values(value).some(containsSecret);
  }
  return false;
}

export function containsUnknown(value: PropertyValue): boolean {
  if (value === UNKNOWN) {
    return true;
  }
  if (Array.isArray(value)) {
    return value.some(containsUnknown);
  }
  if (isObject(value)) {
    return Object.values(value).some(containsUnknown);
  }
  return false;
}

/**
 * Copies secretness from inputs to the outputs of the same name, as the Pulumi engine does for a
 * provider that does not accept secrets: objects recurse, anything else becomes a secret whole.
 */
export function annotateSecrets(outs: PropertyMap, ins: PropertyMap): PropertyMap {
  const result: PropertyMap = { ...outs };
  for (const [key, inValue] of Object.entries(ins)) {
    if (!(key in result)) {
      continue;
    }
    const outValue = result[key];
    if (isObject(outValue) && !isSecret(outValue) && isObject(inValue) && !isSecret(inValue)) {
      result[key] = annotateSecrets(outValue, inValue);
    } else if (!isSecret(outValue) && containsSecret(inValue)) {
      result[key] = makeSecret(outValue);
    }
  }
  return result;
}

/** Marks the named top-level keys secret (`additionalSecretOutputs`). */
export function markSecretKeys(map: PropertyMap, keys: readonly string[]): PropertyMap {
  const result: PropertyMap = { ...map };
  for (const key of keys) {
    if (key in result) {
      result[key] = makeSecret(result[key]);
    }
  }
  return result;
}

/** Drops keys the engine keeps to itself (`__provider`, `__defaults`) before showing values to policies. */
export function withoutInternalKeys(map: PropertyMap): PropertyMap {
  const result: PropertyMap = {};
  for (const [k, v] of Object.entries(map)) {
    if (!k.startsWith("__")) {
      result[k] = v;
    }
  }
  return result;
}

/** Deep equality of two values, comparing secrets by their plaintext. */
export function valuesEqual(a: PropertyValue | undefined, b: PropertyValue | undefined): boolean {
  if (isSecret(a)) {
    return valuesEqual(a.value, b);
  }
  if (isSecret(b)) {
    return valuesEqual(a, b.value);
  }
  if (a === b) {
    return true;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => valuesEqual(v, b[i]))
    );
  }
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      if (!valuesEqual(a[k], b[k])) {
        return false;
      }
    }
    return true;
  }
  return false;
}

/** Top-level keys whose values differ between two property maps, sorted. */
export function changedKeys(olds: PropertyMap, news: PropertyMap): string[] {
  const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
  return [...keys].filter((k) => !valuesEqual(olds[k], news[k])).sort();
}

/**
 * Converts a value from JavaScript into the JSON shape protobuf `Struct` accepts: `undefined`
 * entries are dropped, as Pulumi drops them, and anything JSON cannot hold is an error.
 */
export function toPropertyMap(value: unknown, what: string): PropertyMap {
  const converted = toPropertyValue(value, what);
  if (!isObject(converted)) {
    throw new TypeError(`${what} must be an object of properties, got ${describe(value)}.`);
  }
  return converted;
}

function toPropertyValue(value: unknown, path: string): PropertyValue {
  if (value === null || typeof value === "boolean" || typeof value === "string") {
    return value;
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) {
      throw new TypeError(`${path} is ${value}; property values must be finite numbers.`);
    }
    return value;
  }
  if (Array.isArray(value)) {
    return value.map((v, i) => (v === undefined ? null : toPropertyValue(v, `${path}[${i}]`)));
  }
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out: PropertyMap = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) {
        out[k] = toPropertyValue(v, `${path}.${k}`);
      }
    }
    return out;
  }
  throw new TypeError(`${path} is ${describe(value)}; property values must be plain JSON.`);
}

function describe(value: unknown): string {
  if (value === undefined) {
    return "undefined";
  }
  if (typeof value === "object" && value !== null) {
    return `an instance of ${value.constructor?.name ?? "an object without prototype"}`;
  }
  return typeof value;
}
