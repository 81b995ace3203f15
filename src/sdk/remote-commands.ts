// The shell commands the SDK runs on a node: read status.json, and print (or follow) a log.
// `follow` ends on its own once status.json says the script finished, after a last read of the log.
import { STARTUP_LOG_FILE, STATUS_FILE, TASK_LOG_FILE } from "../startup/constants";

/** The emulator and FCP keep the startup script's whole output here; ours also goes to STARTUP_LOG_FILE. */
export const FOUNDRY_STARTUP_LOG = "/var/log/foundry/startup_script.log";

export const READ_STATUS = `cat ${STATUS_FILE} 2>/dev/null || true`;

export interface LogCommandOptions {
  follow: boolean;
  /** Lines from the end; undefined for the whole file. */
  tail?: number;
  startup: boolean;
}

export function logCommand(o: LogCommandOptions): string {
  const file = o.startup
    ? `f=${FOUNDRY_STARTUP_LOG}; [ -r "$f" ] || f=${STARTUP_LOG_FILE}`
    : `f=${TASK_LOG_FILE}`;
  const lines = o.tail === undefined ? "+1" : String(Math.max(0, Math.floor(o.tail)));
  if (!o.follow) return `${file}; tail -n ${lines} "$f" 2>/dev/null || true`;
  // The task's last lines are written before status.json says it finished; tail (inotify) gets
  // a second to pass them on before it is stopped.
  const finished = `grep -qE '"status":"(succeeded|failed)"' ${STATUS_FILE} 2>/dev/null`;
  return `${file}; tail -n ${lines} -F "$f" 2>/dev/null & t=$!; until ${finished}; do sleep 0.5; done; sleep 1; kill $t; wait $t 2>/dev/null; exit 0`;
}
