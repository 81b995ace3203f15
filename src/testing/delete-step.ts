// Deleting one resource from state: the provider's Delete for a custom resource (with the
// `__provider` and outputs recorded in state, not the program's current code), nothing for a
// component or a resource marked retainOnDelete.
import { ResourceOperationError } from "./errors";
import type { ProviderClient } from "./provider-plugin";
import { unwrapMap } from "./property-values";
import type { ResourceState } from "./resource-state";

export function protectedMessage(r: ResourceState, action: "delete" | "replace"): string {
  return (
    `the resource is protected (protect: true), so it cannot be ${action === "delete" ? "deleted" : "replaced"}. ` +
    `Set protect: false on it in the program and run up first` +
    (action === "delete" ? ", then remove it." : ".")
  );
}

export async function deleteFromProvider(provider: () => Promise<ProviderClient>, r: ResourceState): Promise<void> {
  if (r.protect && !r.pendingDelete) {
    throw new ResourceOperationError(r.urn, "delete", protectedMessage(r, "delete"));
  }
  if (!r.custom || r.retainOnDelete || r.id === undefined) {
    return;
  }
  const plugin = await provider();
  await plugin.delete({ urn: r.urn, name: r.name, type: r.type }, r.id, unwrapMap(r.outputs), unwrapMap(r.inputs));
}
