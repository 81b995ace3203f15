import { EmulatorClock } from "../../../src/emulator/clock";

describe("EmulatorClock", () => {
  it("runs with real time and jumps ahead on advance, telling listeners", () => {
    let real = 1000;
    const clock = new EmulatorClock(() => real);
    const seen: number[] = [];
    clock.onChange((now) => seen.push(now));
    real = 1500;
    expect(clock.now()).toBe(1500);
    expect(clock.advance(60_000)).toBe(61_500);
    expect(clock.offsetMs).toBe(60_000);
    expect(seen).toEqual([61_500]);
  });

  it.each([[-1], [Number.NaN], [Number.POSITIVE_INFINITY]])("refuses to advance by %p", (ms) => {
    expect(() => new EmulatorClock(() => 0).advance(ms)).toThrow(/non-negative/);
  });

  it("never goes back behind a saved time", () => {
    const clock = new EmulatorClock(() => 5000);
    clock.catchUpTo(9000);
    expect(clock.now()).toBe(9000);
    clock.catchUpTo(100);
    expect(clock.now()).toBe(9000);
  });
});
