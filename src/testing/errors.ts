// Errors of the LocalEngine. Every failure of a resource step names the URN and the operation;
// a failed run carries everything that happened before it stopped.
import type { OperationResult, PolicyViolation } from "./result";

/** Base class of every error LocalEngine throws. */
export class LocalEngineError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The operations a resource step can fail in. */
export type ResourceOperation = "check" | "diff" | "create" | "update" | "delete" | "read" | "replace" | "policy";

/** Details the dynamic provider attached to a create/update that left a resource behind. */
export interface InitFailure {
  id: string;
  properties: Record<string, unknown>;
  reasons: string[];
}

/** One resource operation failed; `urn` and `operation` say which and where. */
export class ResourceOperationError extends LocalEngineError {
  readonly urn: string;
  readonly operation: ResourceOperation;
  /** Set when the provider created the resource but it failed to initialize (kept in state). */
  readonly initFailure?: InitFailure;

  constructor(
    urn: string,
    operation: ResourceOperation,
    detail: string,
    options?: { cause?: unknown; initFailure?: InitFailure },
  ) {
    super(`${operation} of ${urn} failed: ${detail}`, options);
    this.urn = urn;
    this.operation = operation;
    this.initFailure = options?.initFailure;
  }
}

/** A plugin process (dynamic provider or policy analyzer) failed to start or died. */
export class PluginError extends LocalEngineError {
  readonly plugin: string;
  readonly stderr: string;

  constructor(plugin: string, message: string, stderr: string, options?: { cause?: unknown }) {
    const tail = stderr.trim().split("\n").slice(-20).join("\n");
    super(tail ? `${plugin}: ${message}\n--- ${plugin} stderr (last lines) ---\n${tail}` : `${plugin}: ${message}`, options);
    this.plugin = plugin;
    this.stderr = stderr;
  }
}

/** The state file is unreadable, belongs to another stack, or is locked by another process. */
export class StateFileError extends LocalEngineError {
  readonly path: string;

  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super(`state file ${path}: ${message}`, options);
    this.path = path;
  }
}

/** Secrets could not be encrypted or decrypted (most often: a different passphrase). */
export class SecretsError extends LocalEngineError {}

/**
 * A preview, up, refresh or destroy did not complete. `result` holds what happened up to the
 * failure (operations done, policy violations, plugin stderr); `errors` the individual causes.
 */
export class DeploymentError extends LocalEngineError {
  readonly result: OperationResult;
  readonly errors: readonly Error[];

  constructor(
    headline: string,
    result: OperationResult,
    errors: readonly Error[],
    mandatory: readonly PolicyViolation[],
  ) {
    const lines = errors.map((e) => `  - ${e.message.split("\n").join("\n    ")}`);
    for (const v of mandatory) {
      lines.push(`  - mandatory policy violation: ${formatViolation(v)}`);
    }
    super(`${headline}:\n${lines.join("\n")}`, { cause: errors[0] });
    this.result = result;
    this.errors = errors;
  }
}

export function formatViolation(v: PolicyViolation): string {
  const where = v.urn ? ` on ${v.urn}` : "";
  return `${v.packName}/${v.policyName}${where}: ${v.message.replace(/\s+/g, " ").trim()}`;
}
