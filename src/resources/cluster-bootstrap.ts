import * as pulumi from "@pulumi/pulumi";
import { providerShim } from "./provider-shim";
import { skipPromiseStackTraces } from "./promise-stack-traces";
import type { SpotBidInstance } from "./spot-bid";
import type { BootstrapNode } from "../provider/cluster-bootstrap-inputs";

/** One node of a bootstrapped cluster (the plugin's output shape, one definition). */
export type ClusterNode = BootstrapNode;

export interface ClusterBootstrapArgs {
  /** The bid whose instances are bootstrapped (`SpotBid.bidId`). */
  bidId: pulumi.Input<string>;
  /** Its instances (`SpotBid.instances`): ids, SSH destinations and private IPs. */
  instances: pulumi.Input<SpotBidInstance[]>;
  /** OpenSSH private key of one of the bid's SSH keys. Kept secret in state. */
  privateKey: pulumi.Input<string>;
  /** Nodes the task needs; the bid must have exactly this many live instances. */
  numNodes: number;
  /** Write /var/lib/flow/cluster.env on every node (multi-node tasks). */
  cluster: boolean;
  /** `MASTER_PORT` in cluster.env. */
  masterPort: number;
  /** A code package too large for the script: its directory (packaged again by the plugin) and digest. */
  code?: pulumi.Input<{ dir: string; sha256: string; bytes: number }>;
  /** Values for the root-only secret env file. Kept secret in state. */
  secretEnv?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** How long to wait for every node to be reachable. */
  timeoutSeconds: number;
  /** @default "ubuntu" */
  username?: string;
}

/**
 * What a Task needs on its instances that cannot be in the bid's startup script: cluster.env
 * (ranks, main IP), a large code package over SFTP, secret env values. Runs over SSH once the
 * bid's instances exist; a second `up` with the same instances does nothing.
 */
export class ClusterBootstrap extends pulumi.dynamic.Resource {
  static readonly __pulumiType = "pulumi-nodejs:dynamic/fcp:ClusterBootstrap";

  declare readonly nodes: pulumi.Output<ClusterNode[]>;
  /** When the last node was ready. */
  declare readonly readyAt: pulumi.Output<string>;
  /** Pinned SSH host key fingerprint per instance id (trust on first use). */
  declare readonly hostKeys: pulumi.Output<Record<string, string>>;
  /** Instance ids a refresh found failed or unreachable. */
  declare readonly failedNodes: pulumi.Output<string[]>;

  constructor(name: string, args: ClusterBootstrapArgs, opts: pulumi.CustomResourceOptions = {}) {
    const restoreStackTraces = skipPromiseStackTraces();
    try {
      super(
        providerShim("clusterBootstrap"),
        name,
        {
          ...args,
          privateKey: pulumi.secret(args.privateKey),
          secretEnv: args.secretEnv === undefined ? undefined : pulumi.secret(args.secretEnv),
          username: args.username ?? "ubuntu",
          nodes: undefined,
          readyAt: undefined,
          hostKeys: undefined,
          failedNodes: undefined,
        },
        { ...opts, additionalSecretOutputs: [...(opts.additionalSecretOutputs ?? []), "privateKey", "secretEnv"] },
        "fcp",
        "ClusterBootstrap",
      );
    } finally {
      restoreStackTraces();
    }
  }
}
