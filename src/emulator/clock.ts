// The emulator's time: real time plus an offset that tests push forward instantly, so a bid that
// takes minutes to provision in the emulator's world takes no wall time in a test.

/** 9999-12-31: past this, dates no longer print as ISO timestamps. */
const LATEST_TIME_MS = Date.UTC(9999, 11, 31);

export type ClockListener = (now: number) => void;

export class EmulatorClock {
  private offset: number;
  private readonly listeners = new Set<ClockListener>();

  /**
   * @param realNow - the real time source, injectable for tests.
   * @param offsetMs - how far the emulator's time runs ahead of real time.
   */
  constructor(
    private readonly realNow: () => number = Date.now,
    offsetMs = 0,
  ) {
    this.offset = offsetMs;
  }

  /** Milliseconds since the epoch, emulator time. */
  now(): number {
    return this.realNow() + this.offset;
  }

  /** How far ahead of real time the emulator runs, in milliseconds. */
  get offsetMs(): number {
    return this.offset;
  }

  /** Moves time forward at once and re-evaluates the market. Returns the new time. */
  advance(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new RangeError(`Cannot advance the emulator clock by ${ms} ms: give a finite, non-negative number.`);
    }
    if (this.now() + ms > LATEST_TIME_MS) {
      throw new RangeError(`Cannot advance the emulator clock by ${ms} ms: it would pass the year 9999.`);
    }
    this.offset += ms;
    const now = this.now();
    for (const listener of this.listeners) listener(now);
    return now;
  }

  /** Never moves time backwards: used when a saved state was written at a later time. */
  catchUpTo(timeMs: number): void {
    const now = this.now();
    if (timeMs > now) this.offset += timeMs - now;
  }

  onChange(listener: ClockListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
