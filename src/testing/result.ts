// What preview, up, refresh and destroy report: one entry per resource, policy findings, program
// logs and plugin output. Shaped after the Automation API's results where they overlap.

/** What happened (or, in a preview, would happen) to one resource. */
export type OpType = "create" | "update" | "replace" | "delete" | "same";

/** `planned` in a preview; `done`/`failed` when performed; `skipped` when the run stopped first. */
export type OpStatus = "planned" | "done" | "failed" | "skipped";

export interface ResourceOp {
  urn: string;
  type: string;
  name: string;
  op: OpType;
  status: OpStatus;
  /** Top-level input keys that changed (for refresh: output keys that drifted). */
  changedKeys: string[];
  /** Keys whose change forces a replacement (from the provider's diff or `replaceOnChanges`). */
  replaceKeys: string[];
  /** For a replace: the old resource is deleted before its replacement is created. */
  deleteBeforeReplace: boolean;
  /** For a failed op: the error message (names the URN and the operation). */
  error?: string;
}

export type EnforcementLevel = "advisory" | "mandatory";

export interface PolicyViolation {
  policyName: string;
  packName: string;
  packVersion: string;
  message: string;
  enforcementLevel: EnforcementLevel;
  /** The resource the violation is about; absent for stack-wide findings that name none. */
  urn?: string;
}

export interface Diagnostic {
  severity: "debug" | "info" | "warning" | "error";
  message: string;
  urn?: string;
}

/** A stack output as the Automation API reports it. */
export interface OutputValue {
  value: unknown;
  secret: boolean;
}

export interface OperationResult {
  kind: "preview" | "up" | "refresh" | "destroy";
  /** One entry per resource in the order steps started (deletes in the order they ran). */
  ops: ResourceOp[];
  /** Number of ops of each type (the stack resource counts too, as in `pulumi up`). */
  summary: Record<OpType, number>;
  /** Stack outputs (what the program returned); unknown values in a preview are `UNKNOWN`. */
  outputs: Record<string, OutputValue>;
  policyViolations: PolicyViolation[];
  /** Messages the program logged with `pulumi.log`, and warnings of the runtime. */
  diagnostics: Diagnostic[];
  /** Everything the plugin processes wrote to stderr during this operation, by plugin. */
  pluginStderr: string;
  /** Lines the plugins printed on stdout (e.g. `console.log` in a provider) during this operation. */
  pluginStdout: string;
}

/** The entry of one resource's op, before any key is known to have changed. */
export function resourceOp(r: Pick<ResourceOp, "urn" | "type" | "name">, op: OpType, status: OpStatus): ResourceOp {
  return { urn: r.urn, type: r.type, name: r.name, op, status, changedKeys: [], replaceKeys: [], deleteBeforeReplace: false };
}

export function summarize(ops: readonly ResourceOp[]): Record<OpType, number> {
  const summary: Record<OpType, number> = { create: 0, update: 0, replace: 0, delete: 0, same: 0 };
  for (const op of ops) {
    if (op.status !== "skipped") {
      summary[op.op] += 1;
    }
  }
  return summary;
}
