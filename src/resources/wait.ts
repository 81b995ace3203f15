// Every wait in a dynamic provider needs its own deadline: the engine enforces none and its
// Cancel is a no-op for dynamic resources.
import { pollIntervalMs } from "./provider-settings";

export interface PollOutcome<T> {
  done: boolean;
  value: T;
}

/**
 * Polls `probe` until it reports done or the deadline passes. Returns the last value and
 * whether it finished; the caller decides what a timeout means.
 */
export async function pollUntil<T>(
  probe: () => Promise<PollOutcome<T>>,
  deadlineMs: number,
  intervalMs = pollIntervalMs(),
): Promise<PollOutcome<T>> {
  const stopAt = Date.now() + deadlineMs;
  for (;;) {
    const outcome = await probe();
    if (outcome.done || Date.now() + intervalMs > stopAt) return outcome;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
