// Bounded parallelism for resource operations (the CLI's `--parallel`).

export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) {
      throw new RangeError(`parallel must be a positive integer, got ${max}.`);
    }
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active += 1;
    }
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) {
        // The slot passes straight to the next waiter, so `active` stays the same.
        next();
      } else {
        this.active -= 1;
      }
    }
  }
}
