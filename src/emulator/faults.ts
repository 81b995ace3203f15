// Fault injection for tests of retries and duplicate-safety. Every decision comes from one
// seeded generator, drawn in request order, so a run repeats exactly. Each rule fires either for
// the next `count` matching requests, or with probability `rate`, or both (at most `count`
// times); a rule with neither fires every time. Admin routes are never faulted.
import { z } from "zod";
import { seededRandom, type Random } from "./prng";

const routes = z.array(z.string().min(1)).optional();
const rule = {
  rate: z.number().min(0).max(1).optional(),
  count: z.number().int().min(0).optional(),
  routes,
};

export const faultConfig = z
  .object({
    seed: z.number().int().optional(),
    /** Default scope for every rule: "POST /v2/spot/bids", "/v2/volumes/{fid}", "/v2/spot/*". */
    routes,
    /** Answer with an error status instead of handling the request (nothing is applied). */
    errors: z.object({ ...rule, statuses: z.array(z.number().int().min(400).max(599)).min(1).optional() }).strict().optional(),
    /** Answer 429 with a Retry-After header (nothing is applied). */
    rateLimit: z.object({ ...rule, retryAfterSeconds: z.number().int().min(0).max(3600).optional() }).strict().optional(),
    /** Wait this long (real time) before handling. */
    latency: z.object({ ms: z.number().min(0).max(60_000), jitterMs: z.number().min(0).max(60_000).optional(), routes }).strict().optional(),
    /** Destroy the connection before handling (nothing is applied). */
    drop: z.object(rule).strict().optional(),
    /** Apply and save a successful POST/PATCH/DELETE, then destroy the connection unanswered. */
    failAfterWrite: z.object(rule).strict().optional(),
  })
  .strict();
export type FaultConfig = z.infer<typeof faultConfig>;

export type FaultKind = "errors" | "rateLimit" | "drop" | "failAfterWrite";
const KINDS: readonly FaultKind[] = ["errors", "rateLimit", "drop", "failAfterWrite"];

export type BeforeFault =
  | { kind: "drop" }
  | { kind: "error"; status: number }
  | { kind: "rateLimit"; retryAfterSeconds: number };

export class FaultInjector {
  private config: FaultConfig = {};
  private random: Random = seededRandom(0);
  private remaining: Partial<Record<FaultKind, number>> = {};
  private fired: Record<FaultKind, number> = { errors: 0, rateLimit: 0, drop: 0, failAfterWrite: 0 };

  constructor(private readonly defaultSeed: number) {
    this.configure({});
  }

  configure(config: FaultConfig): void {
    this.config = config;
    this.random = seededRandom(config.seed ?? this.defaultSeed);
    this.remaining = {};
    for (const kind of KINDS) {
      const count = config[kind]?.count;
      if (count !== undefined) this.remaining[kind] = count;
    }
    this.fired = { errors: 0, rateLimit: 0, drop: 0, failAfterWrite: 0 };
  }

  /** The configuration, what is left of each count, and how often each fault fired. */
  describe() {
    return { config: this.config, remaining: { ...this.remaining }, fired: { ...this.fired } };
  }

  /** Real-time delay to add before handling, in milliseconds (0 for none). */
  latencyFor(method: string, template: string, path: string): number {
    const latency = this.config.latency;
    if (!latency || !this.matches(latency.routes, method, template, path)) return 0;
    const jitter = latency.jitterMs ? this.random() * latency.jitterMs : 0;
    return latency.ms + jitter;
  }

  /** A fault that replaces handling, if one fires for this request. */
  before(method: string, template: string, path: string): BeforeFault | undefined {
    if (this.fires("drop", method, template, path)) return { kind: "drop" };
    if (this.fires("rateLimit", method, template, path)) {
      return { kind: "rateLimit", retryAfterSeconds: this.config.rateLimit?.retryAfterSeconds ?? 1 };
    }
    if (this.fires("errors", method, template, path)) {
      const statuses = this.config.errors?.statuses ?? [500, 502, 503];
      return { kind: "error", status: statuses[Math.floor(this.random() * statuses.length) % statuses.length] };
    }
    return undefined;
  }

  /** Whether to drop the answer to a write that succeeded. */
  afterWrite(method: string, template: string, path: string): boolean {
    return this.fires("failAfterWrite", method, template, path);
  }

  private fires(kind: FaultKind, method: string, template: string, path: string): boolean {
    const ruleConfig = this.config[kind];
    if (!ruleConfig || !this.matches(ruleConfig.routes, method, template, path)) return false;
    const left = this.remaining[kind];
    if (left !== undefined && left <= 0) return false;
    const rate = ruleConfig.rate ?? 1;
    if (rate < 1 && this.random() >= rate) return false;
    if (left !== undefined) this.remaining[kind] = left - 1;
    this.fired[kind] += 1;
    return true;
  }

  private matches(ruleRoutes: string[] | undefined, method: string, template: string, path: string): boolean {
    const patterns = ruleRoutes ?? this.config.routes;
    if (!patterns || patterns.length === 0) return true;
    return patterns.some((pattern) => routeMatches(pattern, method, template, path));
  }
}

/** "METHOD /path" or "/path"; the path is a template or a raw path, with an optional trailing *. */
export function routeMatches(pattern: string, method: string, template: string, path: string): boolean {
  const [first, second] = pattern.trim().split(/\s+/, 2);
  const wantMethod = second === undefined ? "*" : first.toUpperCase();
  const wantPath = second ?? first;
  if (wantMethod !== "*" && wantMethod !== method.toUpperCase()) return false;
  if (wantPath.endsWith("*")) {
    const prefix = wantPath.slice(0, -1);
    return template.startsWith(prefix) || path.startsWith(prefix);
  }
  return wantPath === template || wantPath === path;
}
