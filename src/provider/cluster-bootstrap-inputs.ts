// ClusterBootstrap's inputs and outputs, parsed with zod at the plugin boundary. The code package
// is named by its directory and sha256 (the plugin packages it again, deterministically), so state
// never holds megabytes of archive; secretEnv and the private key are secret in state.
import { z } from "zod";
import { orUnknown } from "./check-failures";

const instanceSchema = z.object({
  id: z.string().min(1),
  status: z.string().optional(),
  sshHost: z.string().optional(),
  sshPort: z.number().int().optional(),
  privateIp: z.string().optional(),
});
export type BootstrapInstance = z.infer<typeof instanceSchema>;

const codeSchema = z.object({
  /** Absolute directory the Task packaged. */
  dir: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().positive(),
});

export const clusterBootstrapInputsSchema = z.object({
  bidId: orUnknown(z.string().min(1)),
  instances: orUnknown(z.array(instanceSchema)),
  privateKey: orUnknown(z.string().includes("PRIVATE KEY", { message: "must be an OpenSSH private key" })),
  username: z.string().min(1).default("ubuntu"),
  numNodes: z.number().int().min(1),
  masterPort: z.number().int().min(1).max(65_535),
  /** Write cluster.env (more than one node). */
  cluster: z.boolean(),
  // null: an Output that resolved to nothing (no delivered code), as the engine serializes it.
  code: orUnknown(codeSchema.nullable()).optional(),
  secretEnv: orUnknown(z.record(z.string(), z.string()).nullable()).optional(),
  timeoutSeconds: z.number().int().min(1).max(86_400),
});

export interface BootstrapInputs {
  bidId: string;
  instances: BootstrapInstance[];
  privateKey: string;
  username: string;
  numNodes: number;
  masterPort: number;
  cluster: boolean;
  code?: z.infer<typeof codeSchema> | null;
  secretEnv?: Record<string, string> | null;
  timeoutSeconds: number;
}

/** One node of a bootstrapped cluster, as the outputs show it (the construct's `ClusterNode`). */
export interface BootstrapNode {
  instanceId: string;
  /** Stable: nodes are ranked by instance id, rank 0 is the main node. */
  rank: number;
  /** `host:port` of its SSH server. */
  host: string;
  privateIp: string;
  /** `ready` after the bootstrap; after `pulumi refresh`, the startup script's status (`running`, `succeeded`, `failed`) or `unreachable`. */
  state: string;
  /** The startup script's step, after a refresh. */
  step?: string;
  /** When this node got everything delivered. */
  readyAt?: string;
}

export const nodeSchema = z.object({
  instanceId: z.string(),
  rank: z.number().int(),
  host: z.string(),
  privateIp: z.string(),
  state: z.string(),
  step: z.string().optional(),
  readyAt: z.string().optional(),
});

/** Outputs the provider adds to the inputs. */
export const BOOTSTRAP_OUTPUT_KEYS = ["nodes", "readyAt", "hostKeys", "failedNodes", "__provider"] as const;

/** Instance ids in rank order: ranks are stable because they follow the ids. */
export function rankOrder(instances: readonly BootstrapInstance[]): BootstrapInstance[] {
  return [...instances].filter((i) => i.status !== "terminated").sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
