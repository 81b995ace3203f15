// The faults the soak injects: every kind the emulator has (src/emulator/faults.ts), seeded, so
// that about `rate` of all API requests meet one. Each of the four request faults fires with the
// same probability p, chosen so that 1 - (1 - p)^4 = rate; latency adds a little jitter to all.
import type { FaultConfig } from "../../src/emulator/faults";

export function faultPlan(rate: number, seed: number): FaultConfig {
  if (!(rate >= 0 && rate < 1)) throw new RangeError(`The fault rate must be at least 0 and below 1; got ${rate}.`);
  const p = 1 - Math.pow(1 - rate, 1 / 4);
  return {
    seed,
    errors: { rate: p, statuses: [500, 502, 503, 504] },
    rateLimit: { rate: p, retryAfterSeconds: 0 },
    drop: { rate: p },
    failAfterWrite: { rate: p },
    latency: { ms: 0, jitterMs: 3 },
  };
}

/** Admin calls are never faulted, so these always land. */
export async function setFaults(url: string, config: FaultConfig): Promise<void> {
  const res = await fetch(`${url}/_emulator/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(config) });
  if (!res.ok) throw new Error(`POST /_emulator/faults answered ${res.status}: ${await res.text()}`);
}

export async function faultsFired(url: string): Promise<Record<string, number>> {
  const res = await fetch(`${url}/_emulator/faults`);
  return ((await res.json()) as { fired: Record<string, number> }).fired;
}
