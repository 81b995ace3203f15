// TaskConfig: the seed's task description, checked offline and all at once. Re-exports only;
// one file per concept (types, limits, field schemas, the documented shape, cross-field rules,
// "did you mean", snake_case normalisation, parsing).
export {
  DEFAULT_SCRIPT_INTERPRETER,
  DEFAULT_WORKING_DIR,
  MAX_NUM_INSTANCES,
  MAX_VOLUME_SIZE_GB,
  RESERVED_ENV_PREFIXES,
  TASK_NAME_MAX_LENGTH,
} from "./limits";
export {
  isExistingVolume,
  type ExistingVolumeSpec,
  type ExistingVolumeSpecInput,
  type NewVolumeSpec,
  type NewVolumeSpecInput,
  type TaskConfig,
  type TaskConfigParseOptions,
  type TaskEntrypoint,
  type VolumeSpec,
  type VolumeSpecInput,
} from "./types";
export { explainUnknownKey, taskConfigSchema, type TaskConfigInput } from "./schema";
export { parseTaskConfig, validateTaskConfig, type TaskConfigValidation } from "./parse";
