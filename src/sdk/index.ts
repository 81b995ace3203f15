// `pulumi-fcp/sdk`: the imperative SDK (the seed's Flow().run(config) → task handle). Re-exports only.
export { Flow, resolveTask, type CatalogEntry, type FlowOptions, type RunConfig } from "./flow";
export { TaskHandle, TaskTimeoutError, type LogsOptions, type TaskInstance, type WaitOptions } from "./task-handle";
export { TASK_STATUSES, TERMINAL_TASK_STATUSES, taskStatusOf, type TaskStatus } from "./task-status";
export { KeyStore } from "./key-store";
export type { ExecResult } from "./ssh-connection";
export { loadTaskFile, parseTaskFileText, type TaskFile, type TaskFileFieldError } from "../resources/task-file";
export { sbatchToTaskConfigs, loadSlurmSettings, type SbatchConversion, type SbatchOptions } from "../frontends/slurm";
