// Deciding what to do with a resource that exists in state and in the program, from the
// provider's Diff answer, as the Pulumi engine decides it.
import type { DiffResult } from "./provider-plugin";

export interface DiffDecisionInput {
  diff: DiffResult;
  /** Top-level input keys that differ between the old and the new (checked) inputs. */
  inputChanges: readonly string[];
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
  } else {
    // DIFF_UNKNOWN (no diff method) falls back to comparing inputs, `__provider` included;
    // DIFF_SOME without a list of keys is explained by the inputs that changed.
    changedKeys = [...input.inputChanges];
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
