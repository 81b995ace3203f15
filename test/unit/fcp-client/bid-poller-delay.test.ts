import { pollDelayMs } from "../../../src/fcp-client/bid-poller";

const base = { baseMs: 500, quietRoundsBeforeBackoff: 20, maxBackoffFactor: 8, retryAfterMs: 0 };

test.each([
  [0, 500],
  [19, 500],
  [20, 1000],
  [39, 1000],
  [40, 2000],
  [60, 4000],
  [80, 4000],
  [1000, 4000],
])("after %i quiet rounds the next poll waits %i ms", (quietRounds, expected) => {
  expect(pollDelayMs({ ...base, quietRounds })).toBe(expected);
});

test("Retry-After wins when it is longer than the interval", () => {
  expect(pollDelayMs({ ...base, quietRounds: 0, retryAfterMs: 7000 })).toBe(7000);
  expect(pollDelayMs({ ...base, quietRounds: 0, retryAfterMs: 100 })).toBe(500);
});
