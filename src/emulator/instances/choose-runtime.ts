// --instances sandbox|none: booting instances where namespaces work (root on Linux), none
// elsewhere, with the reason in one line.
import type { InstanceRuntime } from "./runtime";
import { sandboxUnavailableReason } from "./sandbox-root";
import { SandboxRuntime } from "./sandbox-runtime";

export const INSTANCE_RUNTIMES = ["sandbox", "none"] as const;
export type InstancesMode = (typeof INSTANCE_RUNTIMES)[number];

export interface RuntimeChoice {
  mode: InstancesMode;
  runtime?: InstanceRuntime;
  /** One line for people: what instances do here, and why. */
  note: string;
}

let probed: { reason: string | undefined } | undefined;

function unavailable(): string | undefined {
  probed ??= { reason: sandboxUnavailableReason() };
  return probed.reason;
}

/**
 * Picks the runtime. An explicit "sandbox" that cannot work is an error; the default falls back
 * to "none". A caller that brings its own SSH endpoints (`sshEndpoint`) serves SSH itself.
 */
export function chooseRuntime(requested: InstancesMode | undefined, ownSshEndpoint: boolean): RuntimeChoice {
  if (requested !== undefined && !(INSTANCE_RUNTIMES as readonly string[]).includes(requested)) {
    throw new RangeError(`instances must be one of ${INSTANCE_RUNTIMES.join(", ")}; got ${JSON.stringify(requested)}.`);
  }
  if (requested === "none") return { mode: "none", note: "instances: none (nothing boots; ssh_destination is an address nothing listens on)" };
  if (requested === undefined && ownSshEndpoint) return { mode: "none", note: "instances: none (the caller serves SSH at its own endpoints)" };
  const reason = unavailable();
  if (reason) {
    if (requested === "sandbox") throw new Error(`Cannot boot instances in sandboxes: ${reason}. Run as root on Linux, or use instances "none".`);
    return { mode: "none", note: `instances: none, because ${reason} (nothing boots; ssh_destination is an address nothing listens on)` };
  }
  return { mode: "sandbox", runtime: new SandboxRuntime(), note: "instances: sandbox (each running instance boots in a namespace sandbox with its own 127.0.0.N and SSH server)" };
}
