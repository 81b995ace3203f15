// Every wait in a dynamic provider needs its own deadline: the engine enforces none and its
// Cancel is a no-op for dynamic resources. A wait outlives a passing API fault: the client's
// retries gave up on one look, not on the wait.
import { isRetryable } from "../fcp-client/retry";
import { pollIntervalMs } from "./settings";

export interface PollOutcome<T> {
  done: boolean;
  value: T;
}

/**
 * Polls `probe` until it reports done or the deadline passes. Returns the last value and
 * whether it finished; the caller decides what a timeout means. Transient API errors (those the
 * client retries on reads) are polled through; when the deadline passes with no value, or on any
 * other error, the error is thrown.
 */
export async function pollUntil<T>(
  probe: () => Promise<PollOutcome<T>>,
  deadlineMs: number,
  intervalMs = pollIntervalMs(),
): Promise<PollOutcome<T>> {
  const stopAt = Date.now() + deadlineMs;
  let last: PollOutcome<T> | undefined;
  for (;;) {
    try {
      last = await probe();
      if (last.done) return last;
    } catch (err) {
      if (!isRetryable(err, true) || (Date.now() + intervalMs > stopAt && !last)) throw err;
    }
    if (Date.now() + intervalMs > stopAt) return last!;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
