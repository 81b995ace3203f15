// The object Pulumi serializes into every dynamic resource's `__provider`. It must stay tiny and
// capture nothing but a string: each method `require`s the implementation from the installed
// package at call time, so state holds ~1 KB instead of a copy of our code and its dependencies,
// and delete/refresh of old state run the current implementation.
import type * as pulumi from "@pulumi/pulumi";

export type ProviderKind = "spotBid" | "volume" | "sshKey" | "clusterBootstrap";

// One object per kind: Pulumi caches a provider's serialization by object identity, so a stack
// of 256 bids serializes the shim once instead of 256 times (~80 ms each on this machine).
const shims = new Map<ProviderKind, pulumi.dynamic.ResourceProvider>();

export function providerShim(kind: ProviderKind): pulumi.dynamic.ResourceProvider {
  let shim = shims.get(kind);
  if (!shim) {
    shim = makeShim(kind);
    shims.set(kind, shim);
  }
  return shim;
}

function makeShim(kind: ProviderKind): pulumi.dynamic.ResourceProvider {
  return {
    configure: (req) => require("pulumi-fcp/dynamic-provider").configure(req),
    check: (olds, news) => require("pulumi-fcp/dynamic-provider").handlers[kind].check(olds, news),
    diff: (id, olds, news) => require("pulumi-fcp/dynamic-provider").handlers[kind].diff(id, olds, news),
    create: (inputs) => require("pulumi-fcp/dynamic-provider").handlers[kind].create(inputs),
    read: (id, props) => require("pulumi-fcp/dynamic-provider").handlers[kind].read(id, props),
    update: (id, olds, news) => require("pulumi-fcp/dynamic-provider").handlers[kind].update(id, olds, news),
    delete: (id, props) => require("pulumi-fcp/dynamic-provider").handlers[kind].delete(id, props),
  };
}
