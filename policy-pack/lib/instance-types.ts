// What the pack needs to know about an instance type, offline: its canonical name when the
// provider's built-in table knows it, its GPU type and GPUs per instance. Parsing is the
// provider's own (`a100` is 1 GPU, `h100` is 8, `2xa100`, `a100-80gb.sxm.1x`, FIDs `it_...`).
import { BUILTIN_INSTANCE_TYPES, canonicalInstanceTypeKey, parseInstanceType, ValidationError } from "../fcp";
import { type Reading, readString } from "./readings";

export interface InstanceTypeDescription {
  /** As written in the resource or the policy config. */
  spelling: string;
  /** The provider's canonical key: equal for every spelling of one type. */
  key?: string;
  /** Canonical FCP name (`h100-80gb.sxm.8x`), when known offline. */
  name?: string;
  /** Instance type FID, when written or known from the built-in table. */
  fid?: string;
  /** GPU type as it appears in names: `a100`, `h100`. */
  gpuType?: string;
  /** GPUs per instance. */
  gpuCount?: number;
  /** Why the spelling is not one the provider accepts. */
  invalid?: string;
}

const FID_BY_NAME = new Map(BUILTIN_INSTANCE_TYPES.map((t) => [t.name, t.fid]));

export function describeInstanceType(spelling: string): InstanceTypeDescription {
  let key: string;
  try {
    key = canonicalInstanceTypeKey(spelling);
  } catch (e) {
    if (e instanceof ValidationError) return { spelling, invalid: e.message };
    throw e;
  }
  const written = parseInstanceType(spelling);
  const canonical = parseInstanceType(key);
  const fid = written.kind === "fid" ? written.fid : FID_BY_NAME.get(key);
  switch (canonical.kind) {
    case "full":
      return { spelling, key, name: key, fid, gpuType: canonical.gpu, gpuCount: canonical.count };
    case "short":
      return { spelling, key, fid, gpuType: canonical.gpu, gpuCount: canonical.count };
    case "fid":
      return { spelling, key, fid };
  }
}

/** The name people recognise: the spelling, with the canonical name when it differs. */
export function displayName(d: InstanceTypeDescription): string {
  return d.name !== undefined && d.name !== d.spelling ? `${d.spelling} (${d.name})` : d.spelling;
}

/**
 * Whether an entry of an allow list covers an instance type. An entry is any spelling (equal when
 * the canonical keys are, or, when one side has no canonical name, when GPU type and count are)
 * or a pattern with `*` matched against the canonical name, the spelling and the FID
 * (`a100-80gb.*`, `h100-*`).
 */
export function entryMatches(entry: string, d: InstanceTypeDescription): boolean {
  if (entry.includes("*")) {
    const re = globToRegExp(entry.trim());
    return [d.name, d.spelling, d.fid].some((v) => v !== undefined && re.test(v));
  }
  const e = describeInstanceType(entry.trim());
  if (e.key !== undefined && e.key === d.key) return true;
  if (e.spelling === d.spelling) return true;
  if (e.name !== undefined && d.name !== undefined) return false;
  return e.gpuType !== undefined && e.gpuType === d.gpuType && e.gpuCount === d.gpuCount;
}

/** A bid's instance type: the resolved `instanceTypeName` output when present, else the input. */
export function readInstanceType(props: Readonly<Record<string, unknown>>): Reading<InstanceTypeDescription> {
  const resolved = readString(props, "instanceTypeName");
  if (resolved.kind === "known") return { kind: "known", value: describeInstanceType(resolved.value) };
  const written = readString(props, "instanceType");
  return written.kind === "known" ? { kind: "known", value: describeInstanceType(written.value) } : written;
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${body}$`);
}
