// TaskConfig's limits and defaults: what the Task, the startup script and FCP allow.
import { WORKSPACE_DIR } from "../../startup/constants";

/** Where uploaded code lands and commands run unless `workingDir` says otherwise. */
export const DEFAULT_WORKING_DIR = WORKSPACE_DIR;
/** The startup script's limit; the Task also derives its bid, volume and key names from it. */
export const TASK_NAME_MAX_LENGTH = 63;
/** Env prefixes the startup script sets itself (`FLOW_NODE_RANK`, ...). */
export const RESERVED_ENV_PREFIXES = ["FLOW_", "FCP_"] as const;
/** What runs a `script` that has no `#!` line. */
export const DEFAULT_SCRIPT_INTERPRETER = ["python3"] as const;
export const MAX_NUM_INSTANCES = 1024;
export const MAX_VOLUME_SIZE_GB = 16384;
