// A POST that creates something is never blindly repeated. After an ambiguous failure (a timeout
// or reset once the request was sent, or a 5xx) the server may have made the resource: look it
// up by its unique name, adopt it when found, and re-send only when two lookups a settle period
// apart both prove it absent. This is what stops a lost response from costing a second bid.
import { APIError, AmbiguousCreateError, FlowError, NetworkError, TimeoutError } from "../fcp-api/errors";
import { type Clock, type RetryPolicy, isRetryable, retryDelayMs } from "./retry";

export interface CreateSafelyOptions<T> {
  /** For messages: "bid", "volume", "SSH key". */
  resourceType: string;
  /** The unique name the resource is created with and found by. */
  name: string;
  /** One POST attempt (no retries of its own). */
  send: () => Promise<T>;
  /** Fresh listing of the resources that carry `name` (any that fit). */
  findByName: () => Promise<T[]>;
  /** Further identity checks on a found resource (same region, size, ...). */
  matches?: (candidate: T) => boolean;
  /** Creation time of a resource, to ignore same-named ones far older than this call. */
  createdAt?: (candidate: T) => string | undefined;
  policy: RetryPolicy;
  clock: Clock;
  /** Wait between the two absence checks. @default 1000 */
  settleMs?: number;
  signal?: AbortSignal;
  /** Called on each decision; for logs and tests. */
  onEvent?: (event: CreateEvent) => void;
}

export type CreateEvent =
  | { type: "ambiguous"; error: unknown }
  | { type: "adopted" }
  | { type: "absent" }
  | { type: "resend" }
  | { type: "retry-not-sent"; delayMs: number; error: unknown };

/** A resource older than the call by more than this is someone else's namesake, not ours. */
const CLOCK_SKEW_MS = 10 * 60_000;

/**
 * True when the failure proves the server did not act: it is safe to send again. The same rule
 * `withRetry` applies to any non-idempotent request, kept in one place.
 */
export function certainlyNotApplied(error: unknown): boolean {
  return isRetryable(error, false);
}

/** True when the server may or may not have made the resource. */
export function isAmbiguous(error: unknown): boolean {
  if (error instanceof NetworkError || error instanceof TimeoutError) return error.requestSent;
  if (error instanceof APIError) return error.statusCode >= 500;
  return false;
}

export async function createSafely<T>(options: CreateSafelyOptions<T>): Promise<T> {
  const { policy, clock } = options;
  const started = clock.now();
  const settleMs = options.settleMs ?? 1000;
  for (let attempt = 0; ; attempt++) {
    let error: unknown;
    try {
      return await options.send();
    } catch (e) {
      error = e;
    }
    const elapsed = clock.now() - started;
    if (certainlyNotApplied(error)) {
      const delayMs = retryDelayMs(error, attempt, policy, clock);
      if (attempt >= policy.maxRetries || elapsed + delayMs > policy.deadlineMs) throw error;
      options.onEvent?.({ type: "retry-not-sent", delayMs, error });
      await clock.sleep(delayMs, options.signal);
      continue;
    }
    if (!isAmbiguous(error)) throw error;
    options.onEvent?.({ type: "ambiguous", error });

    // The first look comes after a backoff, to give the server time to finish the request.
    await clock.sleep(retryDelayMs(error, attempt, policy, clock), options.signal);
    let found = await lookup(options, started, error);
    if (found === undefined) {
      await clock.sleep(settleMs, options.signal);
      found = await lookup(options, started, error);
    }
    if (found !== undefined) {
      options.onEvent?.({ type: "adopted" });
      return found;
    }
    options.onEvent?.({ type: "absent" });
    if (attempt >= policy.maxRetries || clock.now() - started > policy.deadlineMs) {
      // Proven absent, so nothing was created: the original failure is the honest answer.
      throw error;
    }
    options.onEvent?.({ type: "resend" });
  }
}

async function lookup<T>(options: CreateSafelyOptions<T>, started: number, original: unknown): Promise<T | undefined> {
  let candidates: T[] | undefined;
  // A failed lookup proves nothing either way, and giving up here is what lets the next `up`
  // create a second bid: keep looking, with backoff, until the call's whole deadline is spent.
  for (let attempt = 0; candidates === undefined; attempt++) {
    try {
      candidates = await options.findByName();
    } catch (lookupError) {
      const delayMs = retryDelayMs(lookupError, attempt, options.policy, options.clock);
      if (!isRetryable(lookupError, true) || options.clock.now() - started + delayMs > options.policy.deadlineMs) {
        throw lookupFailed(options, original, lookupError);
      }
      await options.clock.sleep(delayMs, options.signal);
    }
  }
  const oldestAllowed = started - CLOCK_SKEW_MS;
  const ours = candidates.filter((c) => {
    if (options.matches && !options.matches(c)) return false;
    const created = options.createdAt?.(c);
    const at = created ? Date.parse(created) : NaN;
    return Number.isNaN(at) || at >= oldestAllowed;
  });
  return ours[0];
}

function lookupFailed<T>(options: CreateSafelyOptions<T>, original: unknown, lookupError: unknown): AmbiguousCreateError {
  const why = original instanceof Error ? original.message : String(original);
  return new AmbiguousCreateError(
    `Creating ${options.resourceType} ${JSON.stringify(options.name)} failed ambiguously (${why}) and the lookup to check whether it exists failed too.`,
    {
      resourceType: options.resourceType,
      resourceName: options.name,
      cause: lookupError instanceof FlowError ? lookupError : original,
      suggestions: [
        `The ${options.resourceType} may exist: look for ${JSON.stringify(options.name)} before creating it again.`,
        "Run `pulumi refresh`, then `pulumi up`: the name lookup prevents a duplicate.",
      ],
    },
  );
}
