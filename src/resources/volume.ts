import * as pulumi from "@pulumi/pulumi";
import { providerShim } from "./provider-shim";
import { skipPromiseStackTraces } from "./promise-stack-traces";

export interface VolumeArgs {
  /**
   * The volume's name on FCP.
   * @default - the Pulumi resource name plus a random suffix
   */
  name?: pulumi.Input<string>;
  /** Size in GB. Changing it replaces the volume (and its data). */
  sizeGb: pulumi.Input<number>;
  /**
   * `block` (one instance, formatted on first mount) or `file` (shared, NFS-like).
   * @default "block"
   */
  interface?: pulumi.Input<"block" | "file">;
  /**
   * Region; must be the region of the bids it attaches to.
   * @default - the `fcp:region` stack config, then `FCP_REGION`/`FLOW_REGION`
   */
  region?: pulumi.Input<string>;
  /**
   * How long `delete` waits for a bid still using the volume to go away.
   * @default 10
   */
  detachTimeoutMinutes?: pulumi.Input<number>;
  /**
   * Take over an existing volume (it must match size, interface and region).
   * @default - a new volume is created
   */
  adoptId?: pulumi.Input<string>;
  /** @default - `fcp:apiUrl`, then `FCP_API_URL`/`FLOW_API_URL` */
  apiUrl?: pulumi.Input<string>;
  /** @default - `fcp:project`, then `FCP_PROJECT`/`FLOW_PROJECT` */
  project?: pulumi.Input<string>;
}

/**
 * Persistent storage on FCP. Empty when created; it outlives the bids that use it.
 *
 * @example
 * const data = new Volume("data", { sizeGb: 500, interface: "file", region: "us-central1-b" });
 */
export class Volume extends pulumi.dynamic.Resource {
  static readonly __pulumiType = "pulumi-nodejs:dynamic/fcp:Volume";

  declare readonly volumeId: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  declare readonly sizeGb: pulumi.Output<number>;
  declare readonly interface: pulumi.Output<"block" | "file">;
  declare readonly region: pulumi.Output<string>;
  declare readonly status: pulumi.Output<string>;
  declare readonly attachedTo: pulumi.Output<string[]>;

  constructor(name: string, args: VolumeArgs, opts?: pulumi.CustomResourceOptions) {
    const restoreStackTraces = skipPromiseStackTraces();
    try {
      super(
        providerShim("volume"),
        name,
        { ...args, resourceName: name, name: args.name, interface: args.interface, region: args.region, volumeId: undefined, status: undefined, attachedTo: undefined },
        opts,
        "fcp",
        "Volume",
      );
    } finally {
      restoreStackTraces();
    }
  }
}
