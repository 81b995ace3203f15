// Refresh, as `pulumi refresh` does it: Read every custom resource with the state it was left in
// (its `__provider` included); adopt drifted outputs, and drop resources whose Read finds nothing.
import { ResourceOperationError } from "./errors";
import { ConcurrencyLimiter } from "../util/semaphore";
import {
  annotateSecrets,
  changedKeys,
  markSecretKeys,
  unwrapMap,
} from "./property-values";
import type { ProviderClient } from "./provider-plugin";
import type { ResourceState } from "./resource-state";
import { resourceOp, type ResourceOp } from "./result";

export interface RefreshOptions {
  resources: readonly ResourceState[];
  provider: () => Promise<ProviderClient>;
  parallel: number;
  persist: (resources: readonly ResourceState[]) => Promise<void>;
}

export interface RefreshOutcome {
  ops: ResourceOp[];
  errors: Error[];
  resources: ResourceState[];
}

export async function refreshResources(options: RefreshOptions): Promise<RefreshOutcome> {
  let working = [...options.resources];
  const ops: ResourceOp[] = [];
  const errors: Error[] = [];
  const limiter = new ConcurrencyLimiter(options.parallel, "parallel");
  const targets = working.filter((r) => r.custom && r.id !== undefined);

  await Promise.all(
    targets.map((r) =>
      limiter.run(async () => {
        const op = resourceOp(r, "same", "done");
        ops.push(op);
        if (errors.length > 0) {
          op.status = "skipped";
          return;
        }
        try {
          const provider = await options.provider();
          const read = await provider.read(
            { urn: r.urn, name: r.name, type: r.type },
            r.id as string,
            unwrapMap(r.outputs),
            unwrapMap(r.inputs),
          );
          if (!read.id) {
            op.op = "delete";
            working = working.filter((x) => x !== r);
          } else {
            // Secretness survives a refresh: what was secret in state stays secret.
            const outputs = markSecretKeys(annotateSecrets(read.properties, r.outputs), r.additionalSecretOutputs);
            const inputs = read.inputs ? annotateSecrets(read.inputs, r.inputs) : r.inputs;
            op.changedKeys = changedKeys(r.outputs, outputs);
            op.op = op.changedKeys.length > 0 || read.id !== r.id ? "update" : "same";
            working = working.map((x) => (x === r ? { ...r, id: read.id, outputs, inputs } : x));
          }
          if (op.op !== "same") {
            await options.persist(working);
          }
        } catch (err) {
          op.status = "failed";
          const error =
            err instanceof ResourceOperationError
              ? err
              : new ResourceOperationError(r.urn, "read", err instanceof Error ? err.message : String(err), { cause: err });
          op.error = error.message;
          errors.push(error);
        }
      }),
    ),
  );
  return { ops, errors, resources: working };
}
