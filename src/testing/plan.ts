// Deciding what to do with a resource that exists in state and in the program, from the
// provider's Diff answer, as the Pulumi engine decides it.
import type { DiffResult } from "./provider-plugin";

export interface DiffDecisionInput {
  diff: DiffResult;
  /** Top-level input keys that differ between the old and the new (checked) inputs. */
  inputChanges: readonly string[];
  /** New input keys whose value differs from the old output of that name (drift a refresh adopted). */
  outputChanges: readonly string[];
  /** The `replaceOnChanges` resource option (`"*"` means any change). */
  replaceOnChanges: readonly string[];
  /** The `deleteBeforeReplace` resource option. */
  deleteBeforeReplace: boolean;
  /** The resource failed to initialize last time: an update retries it even without changes. */
  hasInitErrors: boolean;
}

export interface DiffDecision {
  op: "update" | "replace" | "same";
  changedKeys: string[];
  replaceKeys: string[];
  deleteBeforeReplace: boolean;
}

function topLevel(path: string): string {
  return path.split(/[.[]/, 1)[0];
}

export function decideOp(input: DiffDecisionInput): DiffDecision {
  const { diff } = input;
  let changedKeys: string[];
  if (diff.changes === "none") {
    changedKeys = [];
  } else if (diff.changes === "some" && diff.diffs.length > 0) {
    changedKeys = [...new Set(diff.diffs.map(topLevel))].sort();
  } else if (diff.changes === "unknown") {
    // No diff method: the engine compares inputs, `__provider` included.
    changedKeys = [...input.inputChanges];
  } else {
    // DIFF_SOME without a list of keys: explained by the inputs that changed or, failing that,
    // by inputs that differ from the outputs of the same name (e.g. drift adopted by a refresh).
    changedKeys = input.inputChanges.length > 0 ? [...input.inputChanges] : [...input.outputChanges];
  }
  const replaceKeys = new Set(diff.changes === "none" ? [] : diff.replaces.map(topLevel));
  const anyChange = input.replaceOnChanges.includes("*");
  const triggers = new Set(input.replaceOnChanges.map(topLevel));
  for (const key of changedKeys) {
    if (anyChange || triggers.has(key)) {
      replaceKeys.add(key);
    }
  }
  const replace = replaceKeys.size > 0;
  const hasChanges = diff.changes === "some" || changedKeys.length > 0;
  return {
    op: replace ? "replace" : hasChanges || input.hasInitErrors ? "update" : "same",
    changedKeys,
    replaceKeys: [...replaceKeys].sort(),
    deleteBeforeReplace: replace && (input.deleteBeforeReplace || diff.deleteBeforeReplace),
  };
}
