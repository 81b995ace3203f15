// Paths and limits shared by the script sections, the packager and the tests that read the results.
import { STARTUP_SCRIPT_MAX_CHARS } from "../fcp-api/limits";

/** FCP rejects startup scripts longer than this: 10,000 characters (sources: `fcp-api/limits.ts`). */
export const STARTUP_SCRIPT_LIMIT = STARTUP_SCRIPT_MAX_CHARS;

/** The seed's upload limit for code: 10 MB after gzip. */
export const MAX_CODE_PACKAGE_BYTES = 10 * 1024 * 1024;

/** Where the code package is extracted and where the task runs unless told otherwise. */
export const WORKSPACE_DIR = "/workspace";

export const FLOW_LOG_DIR = "/var/log/flow";
export const FLOW_STATE_DIR = "/var/lib/flow";

/** Timestamped output of the startup script itself. */
export const STARTUP_LOG_FILE = `${FLOW_LOG_DIR}/startup.log`;

/** stdout and stderr of the user's command (or container). */
export const TASK_LOG_FILE = `${FLOW_LOG_DIR}/task.log`;

/** JSON progress record, see `startupStatusSchema`. */
export const STATUS_FILE = `${FLOW_STATE_DIR}/status.json`;

/** Written to every node of a multi-instance task after allocation; see `renderClusterEnv`. */
export const CLUSTER_ENV_FILE = `${FLOW_STATE_DIR}/cluster.env`;

/** Where the cluster bootstrap puts a code package too large for the script, over SFTP. */
export const DELIVERED_CODE_FILE = `${FLOW_STATE_DIR}/code.tgz`;

/** Written after the package, holding its sha256: the script waits for this file, not the package. */
export const DELIVERED_CODE_SHA_FILE = `${FLOW_STATE_DIR}/code.tgz.sha256`;

/** Root-only (0600) `NAME='value'` lines of the task's secretEnv, sourced for the task's process only. */
export const SECRET_ENV_FILE = `${FLOW_STATE_DIR}/secret.env`;

/** The bounded waits, in seconds, unless the spec says otherwise. */
export const DEFAULT_DEVICE_WAIT_SECONDS = 300;
export const DEFAULT_CLUSTER_WAIT_SECONDS = 1800;
export const DEFAULT_DELIVERY_WAIT_SECONDS = 1800;

/** torchrun's default rendezvous port. */
export const DEFAULT_MASTER_PORT = 29500;

/** The seed caps `max_run_time_hours` at 168 (7 days). */
export const MAX_RUN_TIME_HOURS = 168;
