// `pulumi-fcp/testing`: run Pulumi programs end to end in tests, without the Pulumi CLI.
export { LocalEngine, defaultParallel } from "./local-engine";
export type { LocalEngineOptions, UpOptions } from "./local-engine";
export type { PulumiProgram } from "./program-runner";
export type { ConfigMap, ConfigValue } from "./config";
export type { PolicyPackConfig } from "./policy-analyzer";
export type { ResourceState } from "./resource-state";
export type {
  Diagnostic,
  EnforcementLevel,
  OperationResult,
  OpStatus,
  OpType,
  OutputValue,
  PolicyViolation,
  ResourceOp,
} from "./result";
export {
  DeploymentError,
  LocalEngineError,
  PluginError,
  ResourceOperationError,
  SecretsError,
  StateFileError,
} from "./errors";
export type { InitFailure, ResourceOperation } from "./errors";
export { UNKNOWN, isUnknown, isSecret, unwrapSecrets } from "./property-values";
