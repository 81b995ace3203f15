// Bounded retries with exponential backoff and full jitter, honouring `Retry-After`, under an
// overall deadline. Time is injected (`Clock`) so tests run without real waits.
import { APIError, FlowError, NetworkError, RateLimitError, RequestAbortedError, TimeoutError } from "../fcp-api/errors";

/** Time as the client sees it; tests replace it with a fake. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or rejects when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Uniform in [0, 1). */
  random(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  random: () => Math.random(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortError(signal));
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortError(signal));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
};

export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** First backoff ceiling; doubles per attempt. */
  baseDelayMs: number;
  /** Ceiling of any single backoff (not of a server's `Retry-After`). */
  maxDelayMs: number;
  /** No retry starts after this many milliseconds from the first attempt. */
  deadlineMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 4,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  deadlineMs: 120_000,
};

/** Statuses that mean "try again later" for a request that is safe to repeat. */
export const RETRYABLE_STATUSES: readonly number[] = [429, 502, 503, 504];

/** Full jitter: uniform in [0, min(max, base * 2^attempt)). `attempt` counts from 0. */
export function backoffDelayMs(attempt: number, policy: Pick<RetryPolicy, "baseDelayMs" | "maxDelayMs">, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/**
 * `Retry-After` as milliseconds: integer (or decimal) seconds, or an HTTP date relative to `now`.
 * Undefined when absent or unreadable; never negative.
 */
export function parseRetryAfterMs(value: string | undefined | null, now: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  const text = String(value).trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/**
 * Whether an error is worth repeating for a request that is safe to repeat. `idempotent` false
 * (a POST) only allows errors that prove the server did nothing: 429, and connections that never
 * carried the request.
 */
export function isRetryable(error: unknown, idempotent: boolean): boolean {
  if (error instanceof RateLimitError) return true;
  // Any 5xx is worth repeating for an idempotent request: a single 500 on a lookup or a cancel
  // must not turn into an orphaned bid or a failed destroy (issue 12).
  if (error instanceof APIError) return idempotent && (error.statusCode >= 500 || RETRYABLE_STATUSES.includes(error.statusCode));
  if (error instanceof NetworkError || error instanceof TimeoutError) return idempotent || !error.requestSent;
  return false;
}

export interface RetryOptions {
  policy: RetryPolicy;
  clock: Clock;
  /** Whether the operation may be repeated after an ambiguous failure (GET, PATCH, DELETE). */
  idempotent: boolean;
  signal?: AbortSignal;
  /** Called before each backoff wait; for logs and tests. */
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
  /** Overrides `isRetryable`. */
  shouldRetry?: (error: unknown) => boolean;
}

/** Runs `attempt` until it succeeds, a non-retryable error, the attempt budget, or the deadline. */
export async function withRetry<T>(attemptFn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { policy, clock } = options;
  const started = clock.now();
  const shouldRetry = options.shouldRetry ?? ((e: unknown) => isRetryable(e, options.idempotent));
  for (let attempt = 0; ; attempt++) {
    if (options.signal?.aborted) throw abortError(options.signal);
    try {
      return await attemptFn(attempt);
    } catch (error) {
      if (error instanceof RequestAbortedError) throw error;
      if (!shouldRetry(error) || attempt >= policy.maxRetries) throw error;
      const delayMs = retryDelayMs(error, attempt, policy, clock);
      const remaining = policy.deadlineMs - (clock.now() - started);
      if (delayMs > remaining) {
        // Waiting would pass the deadline: fail now with the server's last answer.
        throw error;
      }
      options.onRetry?.({ attempt: attempt + 1, delayMs, error });
      await clock.sleep(delayMs, options.signal);
    }
  }
}

/** The server's `Retry-After` when it gave one, else backoff with full jitter. */
export function retryDelayMs(error: unknown, attempt: number, policy: RetryPolicy, clock: Clock): number {
  if (error instanceof APIError && error.retryAfter !== undefined) return Math.round(error.retryAfter * 1000);
  return backoffDelayMs(attempt, policy, () => clock.random());
}

function abortError(signal?: AbortSignal): FlowError {
  const reason: unknown = signal?.reason;
  if (reason instanceof FlowError) return reason;
  return new RequestAbortedError("The request was aborted by its AbortSignal.", { cause: reason });
}
