import { NetworkError, RateLimitError, ValidationError } from "../../../src/fcp-api/errors";
import { pollUntil } from "../../../src/provider/wait";

describe("pollUntil", () => {
  it("polls through transient API faults until done", async () => {
    const faults = [new NetworkError("reset"), new RateLimitError("slow down", { statusCode: 429 })];
    let calls = 0;
    const outcome = await pollUntil(async () => {
      calls += 1;
      const fault = faults.shift();
      if (fault) throw fault;
      return { done: true, value: calls };
    }, 60_000, 1);
    expect(outcome).toEqual({ done: true, value: 3 });
  });

  it("throws an error that is not transient at once", async () => {
    let calls = 0;
    await expect(
      pollUntil(async () => {
        calls += 1;
        throw new ValidationError("bad input");
      }, 60_000, 1),
    ).rejects.toThrow(/bad input/);
    expect(calls).toBe(1);
  });

  it("returns the last value, not done, when the deadline passes", async () => {
    const outcome = await pollUntil(async () => ({ done: false, value: "pending" }), 0, 1);
    expect(outcome).toEqual({ done: false, value: "pending" });
  });

  it("throws the transient error when the deadline passes before any value", async () => {
    await expect(pollUntil(async () => Promise.reject(new NetworkError("down")), 0, 1)).rejects.toThrow(/down/);
  });
});
