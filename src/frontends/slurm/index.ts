// The SLURM frontend: sbatch scripts as Flow tasks. Re-exports only.
export { sbatchToTaskConfigs, type SbatchConversion, type SbatchOptions } from "./sbatch-to-task";
export { loadSlurmSettings, instanceTypeForPartition, type SlurmSettings } from "./partitions";
export { readSbatchScript, type SbatchDirective, type SbatchScript } from "./sbatch-directives";
export { parseSlurmTimeHours } from "./slurm-time";
export { parseGres, parseGpus, type GpuRequest } from "./gres";
export { slurmJobId } from "./slurm-env";
