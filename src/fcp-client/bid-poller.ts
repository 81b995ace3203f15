// One poller per client and project: every bid that is being waited for in this process is
// refreshed by one bid listing and (when any of them has instances) one instance listing per
// round, however many waiters there are. Waiting for 256 bids costs the requests of waiting for
// one, not 256 times as many, which keeps a large stack under the live API's rate limit.
// Rounds start at least one interval apart, also while waiters keep arriving: the Pulumi CLI
// hands the plugin its creates one by one, and a round per arrival was a listing per bid.
import { APIError, BidNotFoundError } from "../fcp-api/errors";
import type { Bid, Instance } from "../fcp-api/models";
import { isRetryable } from "./retry";

/** What one round saw of a bid: the bid and its instances (sorted by FID). */
export interface BidSnapshot {
  bid: Bid;
  instances: Instance[];
}

export interface BidPollerOptions {
  /** Every bid in scope (all pages). */
  listBids: () => Promise<Bid[]>;
  /** Every instance of the given bids (all pages); may return others, which are ignored. */
  listInstances: (bidFids: readonly string[]) => Promise<Instance[]>;
  /** Time between rounds while something changes. */
  intervalMs: () => number;
  /** Rounds without any change before the interval starts doubling. @default 20 */
  quietRoundsBeforeBackoff?: number;
  /** The interval never grows beyond this many times `intervalMs`. @default 8 */
  maxBackoffFactor?: number;
  /** Seen by every round, e.g. to refresh the shared bid cache. */
  onBids?: (bids: readonly Bid[]) => void;
  now?: () => number;
}

export interface BidWaitOptions {
  /** True when the wait is over (the target reached, or a failure the caller recognises). */
  until: (snapshot: BidSnapshot) => boolean;
  /** Give up after this long; the wait then resolves with `done: false` and the last snapshot. */
  deadlineMs: number;
  signal?: AbortSignal;
}

export interface BidWaitResult {
  done: boolean;
  /** The last snapshot seen; undefined only if no round succeeded before the deadline. */
  snapshot?: BidSnapshot;
}

interface Waiter {
  fid: string;
  since: number;
  stopAt: number;
  options: BidWaitOptions;
  last?: BidSnapshot;
  lastError?: unknown;
  resolve: (r: BidWaitResult) => void;
  reject: (e: unknown) => void;
}

/**
 * The wait before the next round: the interval while things change; after `quietRoundsBeforeBackoff`
 * rounds with no change it doubles every that many rounds, up to `maxBackoffFactor` times; never
 * less than the server's Retry-After.
 */
export function pollDelayMs(p: { baseMs: number; quietRounds: number; quietRoundsBeforeBackoff: number; maxBackoffFactor: number; retryAfterMs: number }): number {
  const steps = p.quietRounds < p.quietRoundsBeforeBackoff ? 0 : Math.floor(p.quietRounds / p.quietRoundsBeforeBackoff);
  const factor = Math.min(p.maxBackoffFactor, 2 ** steps);
  return Math.max(p.baseMs * factor, p.retryAfterMs);
}

/** Counters for tests and benches. */
export interface PollerStats {
  rounds: number;
  bidListings: number;
  instanceListings: number;
}

export class BidPoller {
  private readonly waiters = new Set<Waiter>();
  private timer?: NodeJS.Timeout;
  private timerDueAt?: number;
  private running = false;
  private quietRounds = 0;
  private retryAfterMs = 0;
  private lastRoundAt?: number;
  private lastSignature = "";
  readonly stats: PollerStats = { rounds: 0, bidListings: 0, instanceListings: 0 };

  constructor(private readonly options: BidPollerOptions) {}

  /** Waiters right now; for tests. */
  get waiting(): number {
    return this.waiters.size;
  }

  /**
   * Resolves once `until` holds for the bid in a round that began after this call, or with
   * `done: false` at the deadline. Throws BidNotFoundError when a round that began after the
   * call does not list the bid, and a non-transient API error as soon as a round hits one.
   */
  wait(fid: string, options: BidWaitOptions): Promise<BidWaitResult> {
    const now = this.now();
    return new Promise<BidWaitResult>((resolve, reject) => {
      const waiter: Waiter = { fid, since: now, stopAt: now + options.deadlineMs, options, resolve, reject };
      if (options.signal?.aborted) return reject(options.signal.reason);
      options.signal?.addEventListener("abort", () => this.finish(waiter, () => reject(options.signal?.reason)), { once: true });
      this.waiters.add(waiter);
      // A new waiter does not wait out a backed-off interval (it has seen nothing yet), but it
      // joins the next round rather than starting one of its own.
      this.quietRounds = 0;
      this.scheduleForNewWaiter();
    });
  }

  /** The next round one interval (quiet rounds reset) after the last one began: now if that is past. */
  private scheduleForNewWaiter(): void {
    if (this.running) return;
    const now = this.now();
    const due = this.lastRoundAt === undefined ? now : this.lastRoundAt + this.nextDelayMs();
    if (this.timer && this.timerDueAt !== undefined && this.timerDueAt <= due) return;
    this.schedule(Math.max(0, due - now), true);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private finish(waiter: Waiter, settle: () => void): void {
    if (!this.waiters.delete(waiter)) return;
    settle();
    if (this.waiters.size === 0 && this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.timerDueAt = undefined;
    }
  }

  private nextDelayMs(): number {
    return pollDelayMs({
      baseMs: this.options.intervalMs(),
      quietRounds: this.quietRounds,
      quietRoundsBeforeBackoff: this.options.quietRoundsBeforeBackoff ?? 20,
      maxBackoffFactor: this.options.maxBackoffFactor ?? 8,
      retryAfterMs: this.retryAfterMs,
    });
  }

  /**
   * Plans the next round after `delayMs` (default: the current interval), unless one is planned
   * or running; `replace` moves a planned round to the new time.
   */
  private schedule(delayMs?: number, replace = false): void {
    if (this.waiters.size === 0 || this.running) return;
    if (this.timer) {
      if (!replace) return;
      clearTimeout(this.timer);
    }
    const delay = delayMs ?? this.nextDelayMs();
    // The deadline of the soonest waiter bounds the sleep, so a timed-out wait resolves on time.
    const soonest = Math.min(...[...this.waiters].map((w) => w.stopAt));
    const wait = Math.max(0, Math.min(delay, soonest - this.now()));
    this.timerDueAt = this.now() + wait;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerDueAt = undefined;
      void this.round();
    }, wait);
  }

  private async round(): Promise<void> {
    if (this.running || this.waiters.size === 0) return;
    this.running = true;
    const startedAt = this.now();
    this.lastRoundAt = startedAt;
    const waiting = [...this.waiters];
    try {
      const bids = await this.listBids();
      const byFid = new Map(bids.map((b) => [b.fid, b]));
      // Instances exist only once a bid has been allocated: a round of pending bids lists none.
      const withInstances = waiting.map((w) => byFid.get(w.fid)).filter((b): b is Bid => b !== undefined && b.status !== "pending");
      const instances = withInstances.length ? await this.listInstances([...new Set(withInstances.map((b) => b.fid))]) : [];
      this.retryAfterMs = 0;
      const signature: string[] = [];
      for (const w of waiting) {
        const bid = byFid.get(w.fid);
        if (!bid) {
          // Only a listing that began after the wait began proves the bid is gone.
          if (startedAt >= w.since) this.finish(w, () => w.reject(new BidNotFoundError(`Bid ${w.fid} was not found.`, { suggestions: ["It may have been cancelled outside this stack; run `pulumi refresh`."] })));
          continue;
        }
        const own = instances.filter((i) => i.bid === w.fid).sort((a, b) => a.fid.localeCompare(b.fid));
        const snapshot: BidSnapshot = { bid, instances: own };
        w.last = snapshot;
        signature.push(`${bid.fid}:${bid.status}:${own.map((i) => `${i.fid}=${i.status}`).join(",")}`);
        let done = false;
        try {
          done = w.options.until(snapshot);
        } catch (err) {
          this.finish(w, () => w.reject(err));
          continue;
        }
        if (done) this.finish(w, () => w.resolve({ done: true, snapshot }));
      }
      const joined = signature.sort().join(";");
      this.quietRounds = joined === this.lastSignature ? this.quietRounds + 1 : 0;
      this.lastSignature = joined;
    } catch (err) {
      // A transient failure (5xx, 429, reset) is polled through: the waits outlive one bad round.
      this.retryAfterMs = err instanceof APIError && err.retryAfter !== undefined ? Math.round(err.retryAfter * 1000) : 0;
      for (const w of waiting) {
        if (!isRetryable(err, true)) this.finish(w, () => w.reject(err));
        else w.lastError = err;
      }
    } finally {
      this.stats.rounds++;
      this.running = false;
    }
    const now = this.now();
    for (const w of [...this.waiters]) {
      if (now >= w.stopAt) {
        if (w.last) this.finish(w, () => w.resolve({ done: false, snapshot: w.last }));
        else this.finish(w, () => (w.lastError ? w.reject(w.lastError) : w.resolve({ done: false })));
      }
    }
    this.schedule();
  }

  private async listBids(): Promise<Bid[]> {
    this.stats.bidListings++;
    const bids = await this.options.listBids();
    this.options.onBids?.(bids);
    return bids;
  }

  private async listInstances(fids: string[]): Promise<Instance[]> {
    this.stats.instanceListings++;
    return this.options.listInstances(fids);
  }
}
