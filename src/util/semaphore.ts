// A cap on tasks in flight: the client's requests (so a stack of 200 resources does not trip
// 429s; held per HTTP attempt, never across a backoff wait) and LocalEngine's `parallel`.

export class ConcurrencyLimiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  /** Highest number of tasks seen running at once; for tests and benchmarks. */
  peak = 0;

  /** `setting` names the option the limit came from, for the error message. */
  constructor(readonly limit: number, setting = "maxConcurrency") {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`${setting} must be a whole number of at least 1, got ${limit}.`);
    }
  }

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Runs `task` once a slot is free. A task aborted while queued leaves the queue. */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private acquire(signal?: AbortSignal): Promise<void> {
    if (this.active < this.limit) {
      this.take();
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener("abort", onAbort);
        this.take();
        resolve();
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal?.reason instanceof Error ? signal.reason : new Error("aborted while waiting for a request slot"));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(grant);
    });
  }

  private take(): void {
    this.active++;
    if (this.active > this.peak) this.peak = this.active;
  }

  private release(): void {
    this.active--;
    const next = this.waiting.shift();
    if (next) next();
  }
}
