import * as pulumi from "@pulumi/pulumi";
import { providerShim } from "./provider-shim";
import { skipPromiseStackTraces } from "./promise-stack-traces";

export interface SshKeyArgs {
  /**
   * The key's name on FCP.
   * @default - the Pulumi resource name plus a random suffix
   */
  name?: pulumi.Input<string>;
  /**
   * An OpenSSH public key (`ssh-ed25519 AAAA... comment`). Changing it replaces the key.
   * @default - an ed25519 pair is generated locally; only the public half is sent to FCP and the
   * private half is the secret output `privateKey`
   */
  publicKey?: pulumi.Input<string>;
  /**
   * Take over an existing FCP key (it must match `publicKey` when given).
   * @default - a new key is registered
   */
  adoptId?: pulumi.Input<string>;
  /** @default - `fcp:apiUrl`, then `FCP_API_URL`/`FLOW_API_URL` */
  apiUrl?: pulumi.Input<string>;
  /** @default - `fcp:project`, then `FCP_PROJECT`/`FLOW_PROJECT` */
  project?: pulumi.Input<string>;
}

/**
 * An SSH public key registered with FCP, to list in `SpotBid.sshKeyIds`.
 *
 * @example
 * const key = new SshKey("ops");                 // generated pair
 * export const privateKey = key.privateKey;      // secret output
 */
export class SshKey extends pulumi.dynamic.Resource {
  static readonly __pulumiType = "pulumi-nodejs:dynamic/fcp:SshKey";

  declare readonly keyId: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  declare readonly publicKey: pulumi.Output<string>;
  /** OpenSSH private key, only when this resource generated the pair. Always secret. */
  declare readonly privateKey: pulumi.Output<string | undefined>;
  declare readonly fingerprint: pulumi.Output<string>;

  constructor(name: string, args: SshKeyArgs = {}, opts?: pulumi.CustomResourceOptions) {
    const restoreStackTraces = skipPromiseStackTraces();
    try {
      super(
        providerShim("sshKey"),
        name,
        { ...args, resourceName: name, name: args.name, publicKey: args.publicKey, keyId: undefined, privateKey: undefined, fingerprint: undefined },
        opts ? { ...opts, additionalSecretOutputs: [...(opts.additionalSecretOutputs ?? []), "privateKey"] } : { additionalSecretOutputs: ["privateKey"] },
        "fcp",
        "SshKey",
      );
    } finally {
      restoreStackTraces();
    }
  }
}
