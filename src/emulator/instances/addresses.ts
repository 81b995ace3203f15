// Each live instance's own loopback address, 127.0.0.N, as its private_ip and SSH address.
// Linux routes all of 127/8 to lo, so binding one needs no setup. Unique among live instances
// of this emulator; ports are the kernel's (port 0), so other emulators on the machine can use
// the same addresses without clashing.
import type { EmulatorState } from "../state";

/** The lowest 127.0.x.y (from 127.0.0.2) that no live instance holds. */
export function freeLoopbackAddress(state: EmulatorState): string {
  const used = new Set<string>();
  for (const i of Object.values(state.instances)) if (i.status !== "terminated") used.add(i.privateIp);
  for (let n = 2; n < 65_536; n++) {
    const low = n & 255;
    if (low === 0 || low === 255) continue;
    const address = `127.0.${n >> 8}.${low}`;
    if (!used.has(address)) return address;
  }
  throw new Error("no free loopback address: 65,000 instances are live");
}

/** The placeholder destination until the instance's SSH server has its port. */
export function unboundDestination(address: string): string {
  return `${address}:0`;
}
