import * as pulumi from "@pulumi/pulumi";
import { providerShim } from "./provider-shim";
import { skipPromiseStackTraces } from "./promise-stack-traces";
import type { WaitFor } from "../provider/spot-bid-inputs";

/** One instance of a bid, as the stack outputs show it. */
export interface SpotBidInstance {
  id: string;
  status: string;
  sshHost?: string;
  sshPort?: number;
  privateIp?: string;
}

export interface SpotBidArgs {
  /**
   * The bid's display name on FCP.
   *
   * Used to find the bid again after an ambiguous network failure, so it should be unique.
   * @default - the Pulumi resource name plus a random suffix, kept stable across updates
   */
  name?: pulumi.Input<string>;
  /**
   * Instance type in any format FCP users write: `a100`, `2xa100`, `8xh100`, `a100-80gb.sxm.1x`
   * or an FID `it_...`. Note that `h100` means 8x H100. Resolved to an FID at create time.
   * Exactly one of instanceType and minGpuMemoryGb.
   */
  instanceType?: pulumi.Input<string>;
  /**
   * Instead of `instanceType`: the memory each GPU needs. At create time the cheapest type on
   * offer in the region whose current price is under `limitPrice` is chosen (see the
   * `instanceTypeName` output); the choice does not change afterwards unless this does.
   * Exactly one of instanceType and minGpuMemoryGb.
   */
  minGpuMemoryGb?: pulumi.Input<number>;
  /**
   * Region of the bid.
   * @default - the `fcp:region` stack config, then `FCP_REGION`/`FLOW_REGION`
   */
  region?: pulumi.Input<string>;
  /** The most you pay per instance-hour: dollars as a number (`15`) or a string (`"$15.00"`). */
  limitPrice: pulumi.Input<number | string>;
  /**
   * Number of instances; allocated all together or not at all.
   * @default 1
   */
  instanceQuantity?: pulumi.Input<number>;
  /**
   * FCP SSH key ids (`SshKey.keyId`) installed for user `ubuntu`. The project's required keys
   * are added to these (see `requiredSshKeys`).
   * @default - no key (no SSH access), besides the project's required keys
   */
  sshKeyIds?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * FCP volume ids (`Volume.volumeId`) attached to every instance. A block volume can only be
   * attached to a single-instance bid, in the same region.
   * @default - no volume
   */
  volumeIds?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Bash script run once at first boot, at most 10,000 characters. Never put an API key in it:
   * every member of the project can read a bid's script.
   * @default - an empty script
   */
  startupScript?: pulumi.Input<string>;
  /**
   * A paused bid holds no instances and costs nothing; changing it is an in-place update.
   * @default false
   */
  paused?: pulumi.Input<boolean>;
  /**
   * What `create` waits for before it returns: `"none"`, `"allocated"` (instances exist) or
   * `"running"` (startup script started).
   * @default "running"
   */
  waitFor?: pulumi.Input<WaitFor>;
  /**
   * How long `create` waits for `waitFor` before it reports the bid as failed (the bid stays in
   * the stack, tracked, so `pulumi destroy` cancels it).
   * @default 30
   */
  readyTimeoutMinutes?: pulumi.Input<number>;
  /**
   * Take over an existing bid instead of creating one (`pulumi import` cannot work for dynamic
   * resources). The bid must match the other inputs.
   * @default - a new bid is created
   */
  adoptId?: pulumi.Input<string>;
  /**
   * FCP API URL for this resource only.
   * @default - `fcp:apiUrl`, then `FCP_API_URL`/`FLOW_API_URL`, then https://api.mlfoundry.com
   */
  apiUrl?: pulumi.Input<string>;
  /**
   * FCP project name or FID for this resource only.
   * @default - `fcp:project`, then `FCP_PROJECT`/`FLOW_PROJECT`
   */
  project?: pulumi.Input<string>;
}

/**
 * A bid on FCP's spot market: instances of one type, all or nothing, at most `limitPrice` per
 * instance-hour.
 *
 * Changing `limitPrice` or `paused` is one PATCH; any other change is a replacement, created
 * before the old bid is cancelled unless the resource sets `deleteBeforeReplace: true`.
 *
 * @example
 * const bid = new SpotBid("trainer", {
 *   instanceType: "8xh100",
 *   region: "us-central1-b",
 *   limitPrice: 30,
 *   instanceQuantity: 2,
 *   sshKeyIds: [key.keyId],
 * });
 * export const hosts = bid.sshHosts;
 */
export class SpotBid extends pulumi.dynamic.Resource {
  /** Type token, so policies and `validateResourceOfType` can match this class. */
  static readonly __pulumiType = "pulumi-nodejs:dynamic/fcp:SpotBid";

  declare readonly bidId: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  declare readonly status: pulumi.Output<string>;
  declare readonly instanceTypeFid: pulumi.Output<string>;
  declare readonly instanceTypeName: pulumi.Output<string>;
  declare readonly region: pulumi.Output<string>;
  declare readonly limitPrice: pulumi.Output<string>;
  declare readonly instanceQuantity: pulumi.Output<number>;
  /** Worst-case dollars per hour: limit price × quantity, as `"$X.XX"`. */
  declare readonly hourlyCost: pulumi.Output<string>;
  declare readonly instances: pulumi.Output<SpotBidInstance[]>;
  /** `host:port` of every instance, in instance order. */
  declare readonly sshHosts: pulumi.Output<string[]>;
  /**
   * SSH key FIDs on the bid that `sshKeyIds` did not list: the project's required keys, which
   * FCP (Mithril) adds to every bid of the project. Empty on a server without required keys.
   */
  declare readonly requiredSshKeys: pulumi.Output<string[]>;
  declare readonly createdAt: pulumi.Output<string>;

  constructor(name: string, args: SpotBidArgs, opts?: pulumi.CustomResourceOptions) {
    const restoreStackTraces = skipPromiseStackTraces();
    try {
      super(
        providerShim("spotBid"),
        name,
        {
          ...args,
          resourceName: name,
          // Seeded so the outputs exist on the object even when the input was left out.
          name: args.name,
          region: args.region,
          instanceQuantity: args.instanceQuantity,
          bidId: undefined,
          status: undefined,
          instanceTypeFid: undefined,
          instanceTypeName: undefined,
          hourlyCost: undefined,
          instances: undefined,
          sshHosts: undefined,
          requiredSshKeys: undefined,
          createdAt: undefined,
        },
        opts,
        "fcp",
        "SpotBid",
      );
    } finally {
      restoreStackTraces();
    }
  }
}
