// Instance type spellings: exactly the seed's accepted formats, a helpful refusal (with the right
// spelling) for the seed's unsupported ones, resolution to a FID against a catalog, and
// capability-based selection. Parsing and canonical keys are pure: a Pulumi check/diff can use
// them with no network.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { BUILTIN_INSTANCE_TYPES, BUILTIN_SHORT_NAMES } from "./builtin-catalog";
import { ValidationError } from "./errors";
import { formatPrice } from "./price";
import type { InstanceType, SpotAvailability } from "./models";
import type { InstanceTypeWire } from "./schemas/instance-type";

export type ParsedInstanceType =
  | { kind: "fid"; spec: string; fid: string }
  /** `a100`, `2xa100`; `count` already defaulted (`h100` means 8). */
  | { kind: "short"; spec: string; gpu: string; count: number; countGiven: boolean }
  /** `a100-80gb.sxm.1x`. */
  | { kind: "full"; spec: string; name: string; gpu: string; memoryGb: number; interconnect: string; count: number };

const GPU = "[a-z]+\\d+[a-z]*";
const FID_RE = /^it_[A-Za-z0-9]+$/;
const SHORT_RE = new RegExp(`^(?:(\\d+)x)?(${GPU})$`);
const FULL_RE = new RegExp(`^(${GPU})-(\\d+)gb\\.([a-z0-9]+)\\.(\\d+)x$`);

/** GPUs whose bare name means more than one GPU. The seed: "h100" defaults to 8x. */
export const DEFAULT_GPU_COUNTS: Readonly<Record<string, number>> = { h100: 8 };

const ACCEPTED_FORMS = 'Accepted forms: "a100", "2xa100", "a100-80gb.sxm.1x", or an instance type FID "it_...".';

/**
 * Parses an instance type written in one of the seed's formats. Throws a ValidationError that
 * names the right spelling for the seed's unsupported forms (`A100`, `a100x8`, `a100*8`,
 * `gpu.nvidia.a100`, `nvidia-a100`, `a100-80gb`).
 */
export function parseInstanceType(spec: string): ParsedInstanceType {
  if (typeof spec !== "string" || !spec.trim()) {
    throw new ValidationError("The instance type is empty.", { field: "instanceType", suggestions: [ACCEPTED_FORMS] });
  }
  const parsed = parseStrict(spec);
  if (parsed) return parsed;
  const suggestion = suggestInstanceType(spec);
  const count = /^(\d+)x/.exec(spec)?.[1] ?? /\.(\d+)x$/.exec(spec)?.[1];
  if (count !== undefined && Number(count) < 1) {
    throw new ValidationError(`Invalid instance type ${JSON.stringify(spec)}: the GPU count must be at least 1.`, {
      field: "instanceType",
      suggestions: [ACCEPTED_FORMS],
    });
  }
  throw new ValidationError(
    `Unsupported instance type ${JSON.stringify(spec)}${suggestion ? `: write ${JSON.stringify(suggestion)}` : ""}.`,
    {
      field: "instanceType",
      errorCode: "INVALID_INSTANCE_TYPE",
      suggestions: suggestion ? [`Use "${suggestion}".`, ACCEPTED_FORMS] : [ACCEPTED_FORMS],
      fieldErrors: [{ field: "instanceType", message: "is not a supported instance type spelling", value: spec }],
    },
  );
}

function parseStrict(spec: string): ParsedInstanceType | undefined {
  if (FID_RE.test(spec)) return { kind: "fid", spec, fid: spec };
  const short = SHORT_RE.exec(spec);
  if (short) {
    const gpu = short[2];
    const count = short[1] === undefined ? (DEFAULT_GPU_COUNTS[gpu] ?? 1) : Number(short[1]);
    if (count < 1) return undefined;
    return { kind: "short", spec, gpu, count, countGiven: short[1] !== undefined };
  }
  const full = FULL_RE.exec(spec);
  if (full) {
    const count = Number(full[4]);
    if (count < 1) return undefined;
    return { kind: "full", spec, name: spec, gpu: full[1], memoryGb: Number(full[2]), interconnect: full[3], count };
  }
  return undefined;
}

/** The accepted spelling of an unsupported form, or undefined when there is no obvious one. */
export function suggestInstanceType(spec: string): string | undefined {
  const trimmed = spec.trim();
  if (trimmed !== spec) return parseStrict(trimmed) ? trimmed : suggestInstanceType(trimmed);
  const lower = spec.toLowerCase();
  if (lower !== spec) return parseStrict(lower) ? lower : suggestInstanceType(lower);
  let m: RegExpExecArray | null;
  // a100x8, a100*8, a100 x 8
  if ((m = new RegExp(`^(${GPU})\\s*[x*×]\\s*(\\d+)$`).exec(spec))) return `${m[2]}x${m[1]}`;
  // 8*a100, 8 x a100
  if ((m = new RegExp(`^(\\d+)\\s*[x*×]\\s*(${GPU})$`).exec(spec))) return `${m[1]}x${m[2]}`;
  // gpu.nvidia.a100, gpu.a100
  if ((m = new RegExp(`^gpu[._-](?:[a-z]+[._-])?(${GPU})$`).exec(spec))) return m[1];
  // nvidia-a100, nvidia_a100, nvidia a100
  if ((m = new RegExp(`^(?:nvidia|amd|nv)[-_.\\s]?(${GPU})$`).exec(spec))) return m[1];
  // a100-80gb, a100-80gb.sxm (no count), a100-80g
  if ((m = new RegExp(`^(${GPU})-(\\d+)gb?(?:\\.([a-z0-9]+))?$`).exec(spec))) {
    return `${m[1]}-${m[2]}gb.${m[3] ?? "sxm"}.${DEFAULT_GPU_COUNTS[m[1]] ?? 1}x`;
  }
  // a100-80gb-sxm-1x, a100_80gb_sxm_1x
  if ((m = new RegExp(`^(${GPU})[-_](\\d+)gb[-_.]([a-z0-9]+)[-_.](\\d+)x$`).exec(spec))) return `${m[1]}-${m[2]}gb.${m[3]}.${m[4]}x`;
  return undefined;
}

/**
 * A key under which two spellings of the same type compare equal, with no network: `a100`,
 * `1xa100`, `a100-80gb.sxm.1x` and `it_MsIRhxj3ccyVWGfP` all give `a100-80gb.sxm.1x`. Types the
 * built-in table does not know keep a normalised spelling (`2xh200`). Throws like
 * `parseInstanceType` for unsupported spellings.
 */
export function canonicalInstanceTypeKey(spec: string, overrides: Readonly<Record<string, string>> = {}): string {
  const override = overrides[spec];
  if (override !== undefined) return canonicalInstanceTypeKey(override);
  const parsed = parseInstanceType(spec);
  const builtin = matchInCatalog(parsed, BUILTIN_CATALOG);
  if (builtin) return builtin.name;
  if (parsed.kind === "short") return `${parsed.count}x${parsed.gpu}`;
  return parsed.kind === "fid" ? parsed.fid : parsed.name;
}

/** The seed's built-in catalog as public models. */
export const BUILTIN_CATALOG: readonly InstanceType[] = BUILTIN_INSTANCE_TYPES.map(instanceTypeFromWire);

export function instanceTypeFromWire(t: InstanceTypeWire): InstanceType {
  return {
    fid: t.fid,
    name: t.name,
    numCpus: t.num_cpus,
    cpuType: t.cpu_type,
    ramGb: t.ram_gb,
    numGpus: t.num_gpus,
    gpuType: t.gpu_type,
    gpuMemoryGb: t.gpu_memory_gb,
    gpuSocket: t.gpu_socket,
    localStorageGb: t.local_storage_gb,
  };
}

function matchInCatalog(parsed: ParsedInstanceType, catalog: readonly InstanceType[]): InstanceType | undefined {
  switch (parsed.kind) {
    case "fid":
      return catalog.find((t) => t.fid === parsed.fid);
    case "full":
      return catalog.find((t) => t.name.toLowerCase() === parsed.name);
    case "short": {
      // The seed's resolution table first, when its FID is in this catalog.
      const builtinFid = BUILTIN_SHORT_NAMES[`${parsed.count}x${parsed.gpu}`] ?? (parsed.countGiven ? undefined : BUILTIN_SHORT_NAMES[parsed.gpu]);
      const viaTable = builtinFid ? catalog.find((t) => t.fid === builtinFid) : undefined;
      if (viaTable) return viaTable;
      const candidates = catalog.filter((t) => {
        const full = FULL_RE.exec(t.name.toLowerCase());
        return full !== null && full[1] === parsed.gpu && Number(full[4]) === parsed.count;
      });
      // Prefer SXM (what the seed's table picks), then more memory, then the name, so the
      // answer never depends on catalog order.
      candidates.sort(
        (a, b) =>
          socketRank(a) - socketRank(b) || (b.gpuMemoryGb ?? 0) - (a.gpuMemoryGb ?? 0) || a.name.localeCompare(b.name),
      );
      return candidates[0];
    }
  }
}

function socketRank(t: InstanceType): number {
  return /\.sxm\d*\./.test(t.name.toLowerCase()) ? 0 : 1;
}

/**
 * Resolves any accepted spelling (or an override name) to an entry of `catalog`. Throws a
 * ValidationError listing what the catalog offers when nothing matches.
 */
export function resolveInstanceType(
  spec: string,
  catalog: readonly InstanceType[],
  overrides: Readonly<Record<string, string>> = {},
): InstanceType {
  const override = overrides[spec];
  if (override !== undefined) {
    const hit = catalog.find((t) => t.fid === override || t.name === override);
    if (hit) return hit;
    if (FID_RE.test(override)) return { fid: override, name: spec, numGpus: 0 };
    return resolveInstanceType(override, catalog);
  }
  const parsed = parseInstanceType(spec);
  const hit = matchInCatalog(parsed, catalog);
  if (hit) return hit;
  const names = catalog.map((t) => t.name).sort();
  throw new ValidationError(
    `Instance type ${JSON.stringify(spec)} is not in the FCP catalog${names.length ? ` (it offers ${names.join(", ")})` : ""}.`,
    {
      field: "instanceType",
      errorCode: "UNKNOWN_INSTANCE_TYPE",
      suggestions: [
        names.length ? `Use one of: ${names.join(", ")}.` : "The catalog is empty; check the API URL and project.",
        "Custom names can be mapped to FIDs in ~/.flow/instance_types.json or FCP_INSTANCE_MAPPINGS.",
      ],
      fieldErrors: [{ field: "instanceType", message: "is not in the catalog", value: spec, allowedValues: names }],
    },
  );
}

const mappingsSchema = z.record(z.string(), z.string().min(1));

export interface InstanceTypeEnv {
  env?: Readonly<Record<string, string | undefined>>;
  homeDir?: string;
}

/**
 * Name → FID overrides: `~/.flow/instance_types.json`, then `FCP_INSTANCE_MAPPINGS` (JSON) on top.
 * A malformed source is an error, not silently ignored: it would send bids to the wrong type.
 */
export function loadInstanceTypeOverrides(options: InstanceTypeEnv = {}): Record<string, string> {
  const env = options.env ?? process.env;
  const out: Record<string, string> = {};
  const home = options.homeDir ?? (options.env ? options.env.HOME : homedir());
  if (home) {
    const file = join(home, ".flow", "instance_types.json");
    let text: string | undefined;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      text = undefined;
    }
    if (text !== undefined) Object.assign(out, parseMappings(text, file));
  }
  const fromEnv = env.FCP_INSTANCE_MAPPINGS;
  if (fromEnv && fromEnv.trim()) Object.assign(out, parseMappings(fromEnv, "FCP_INSTANCE_MAPPINGS"));
  return out;
}

function parseMappings(text: string, source: string): Record<string, string> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ValidationError(`${source} is not valid JSON: ${(e as Error).message}.`, {
      field: "instanceMappings",
      suggestions: ['Write an object of name to FID, e.g. {"a100": "it_MsIRhxj3ccyVWGfP"}.'],
    });
  }
  const parsed = mappingsSchema.safeParse(json);
  if (!parsed.success) {
    throw new ValidationError(`${source} must map instance type names to FID strings.`, {
      field: "instanceMappings",
      suggestions: ['Write an object of name to FID, e.g. {"a100": "it_MsIRhxj3ccyVWGfP"}.'],
    });
  }
  return parsed.data;
}

/** `FCP_USE_BUILTIN_INSTANCE_MAPPINGS=true` (or 1/yes): use the seed's table, no catalog request. */
export function useBuiltinInstanceMappings(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  return /^(true|1|yes|on)$/i.test(env.FCP_USE_BUILTIN_INSTANCE_MAPPINGS?.trim() ?? "");
}

export interface InstanceTypeRequirements {
  /** Memory of each GPU, at least. */
  minGpuMemoryGb: number;
  /** Exactly this many GPUs per instance. @default - any count */
  gpuCount?: number;
  /** Highest acceptable current price per instance-hour, in cents. @default - no limit */
  maxPriceCents?: number;
  /** Only auctions in this region. @default - any region */
  region?: string;
}

export interface InstanceTypeSelection {
  instanceType: InstanceType;
  auction: SpotAvailability;
  /** The auction's last clearing price per instance-hour, in cents. */
  priceCents: number;
}

/**
 * Picks the cheapest instance type that meets the requirements and is on offer (capacity > 0)
 * in the spot availability. Ties go to fewer GPUs, then the name. Throws a ValidationError
 * saying which requirement nothing met.
 */
export function selectInstanceType(
  req: InstanceTypeRequirements,
  catalog: readonly InstanceType[],
  availability: readonly SpotAvailability[],
): InstanceTypeSelection {
  if (!Number.isFinite(req.minGpuMemoryGb) || req.minGpuMemoryGb <= 0) {
    throw new ValidationError(`minGpuMemoryGb must be a positive number of GB, got ${req.minGpuMemoryGb}.`, {
      field: "minGpuMemoryGb",
    });
  }
  if (req.gpuCount !== undefined && (!Number.isInteger(req.gpuCount) || req.gpuCount < 1)) {
    throw new ValidationError(`gpuCount must be a whole number of at least 1, got ${req.gpuCount}.`, { field: "gpuCount" });
  }
  const fits = catalog.filter(
    (t) => (t.gpuMemoryGb ?? 0) >= req.minGpuMemoryGb && (req.gpuCount === undefined || t.numGpus === req.gpuCount),
  );
  const wanted = `${req.gpuCount ? `${req.gpuCount} GPU(s) ` : "GPUs "}with at least ${req.minGpuMemoryGb} GB each`;
  if (!fits.length) {
    const biggest = Math.max(0, ...catalog.map((t) => t.gpuMemoryGb ?? 0));
    throw new ValidationError(`No instance type has ${wanted}; the largest GPU in the catalog has ${biggest} GB.`, {
      field: "minGpuMemoryGb",
      suggestions: [`Lower minGpuMemoryGb to ${biggest} or less, or drop gpuCount.`],
    });
  }
  const byFid = new Map(fits.map((t) => [t.fid, t]));
  const offers = availability.filter(
    (a) => byFid.has(a.instanceType) && a.capacity > 0 && (req.region === undefined || a.region === req.region),
  );
  if (!offers.length) {
    throw new ValidationError(
      `No spot capacity for ${wanted}${req.region ? ` in ${req.region}` : ""} right now (types that fit: ${fits.map((t) => t.name).join(", ")}).`,
      { field: "minGpuMemoryGb", suggestions: ["Try another region, or retry later."] },
    );
  }
  const affordable = offers.filter((a) => req.maxPriceCents === undefined || a.lastInstancePriceCents <= req.maxPriceCents);
  if (!affordable.length) {
    const cheapest = Math.min(...offers.map((a) => a.lastInstancePriceCents));
    throw new ValidationError(
      `The cheapest offer for ${wanted} costs ${formatPrice(cheapest)}/hour, above the maximum ${formatPrice(req.maxPriceCents!)}.`,
      { field: "maxPriceCents", suggestions: [`Raise the maximum price to at least ${formatPrice(cheapest)}.`] },
    );
  }
  affordable.sort(
    (a, b) =>
      a.lastInstancePriceCents - b.lastInstancePriceCents ||
      byFid.get(a.instanceType)!.numGpus - byFid.get(b.instanceType)!.numGpus ||
      byFid.get(a.instanceType)!.name.localeCompare(byFid.get(b.instanceType)!.name) ||
      a.region.localeCompare(b.region),
  );
  const best = affordable[0];
  return { instanceType: byFid.get(best.instanceType)!, auction: best, priceCents: best.lastInstancePriceCents };
}
