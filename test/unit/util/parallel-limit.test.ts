import { ConcurrencyLimiter } from "../../../src/util/semaphore";

test("runs at most max tasks at once and all of them eventually", async () => {
  const limiter = new ConcurrencyLimiter(2, "parallel");
  let running = 0;
  let peak = 0;
  const results = await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      limiter.run(async () => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise<void>((resolve) => setImmediate(resolve));
        running -= 1;
        return i;
      }),
    ),
  );
  expect(peak).toBe(2);
  expect(results).toEqual([0, 1, 2, 3, 4, 5]);
});

test("a failing task frees its slot", async () => {
  const limiter = new ConcurrencyLimiter(1, "parallel");
  await expect(limiter.run(async () => Promise.reject(new Error("no")))).rejects.toThrow("no");
  await expect(limiter.run(async () => "yes")).resolves.toBe("yes");
});

test.each([0, -1, 1.5])("rejects parallel %p", (n) => {
  expect(() => new ConcurrencyLimiter(n, "parallel")).toThrow(/parallel must be a whole number of at least 1/);
});
