// Stack outputs: the outputs of the root `pulumi:pulumi:Stack` resource, reported as the
// Automation API reports them (`{ value, secret }`).
import { containsSecret, unwrapSecrets } from "./property-values";
import type { ResourceState } from "./resource-state";
import type { OutputValue } from "./result";
import { ROOT_STACK_TYPE } from "./urn";

export function stackOutputsOf(resources: readonly ResourceState[]): Record<string, OutputValue> {
  const stack = resources.find((r) => r.type === ROOT_STACK_TYPE && !r.pendingDelete);
  const outputs: Record<string, OutputValue> = {};
  for (const [k, v] of Object.entries(stack?.outputs ?? {})) {
    outputs[k] = { value: unwrapSecrets(v), secret: containsSecret(v) };
  }
  return outputs;
}
