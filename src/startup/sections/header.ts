// Strict mode, timestamped log, status file and the traps that record how the script ended.
import { FLOW_LOG_DIR, FLOW_STATE_DIR, STARTUP_LOG_FILE, STATUS_FILE } from "../constants";
import type { StartupSection } from "./section";

export const headerSection: StartupSection = {
  name: "header",
  render(spec) {
    // The task name is validated to [A-Za-z0-9_-], so it is safe inside the JSON format string.
    return [
      "#!/bin/bash",
      `# pulumi-fcp task ${spec.taskName}, first boot. Logs: ${FLOW_LOG_DIR}, status: ${STATUS_FILE}`,
      "set -Eeuo pipefail",
      "umask 022",
      `mkdir -p ${FLOW_LOG_DIR} ${FLOW_STATE_DIR}`,
      // Timestamps come from bash's printf builtin: no process per line.
      `exec > >(export TZ=UTC0; while IFS= read -r l || [ -n "$l" ]; do printf '%(%FT%TZ)T %s\\n' -1 "$l"; done | tee -a ${STARTUP_LOG_FILE}) 2>&1`,
      "logger_pid=$!",
      "stage=header",
      "t0=$(date -u +%FT%TZ)",
      `status(){ local now end=null; now=$(date -u +%FT%TZ); [ "$1" = running ] || end="\\"$now\\""`,
      `printf '{"task":"${spec.taskName}","status":"%s","step":"%s","exit_code":%s,"started_at":"%s","updated_at":"%s","finished_at":%s}\\n' "$1" "$stage" "\${2:-null}" "$t0" "$now" "$end" >${FLOW_STATE_DIR}/status.tmp`,
      `mv -f ${FLOW_STATE_DIR}/status.tmp ${STATUS_FILE}; }`,
      'step(){ stage=$1; echo "== $1"; status running; }',
      "finish(){ local rc=$?; trap - EXIT; set +e",
      `if [ "$rc" = 0 ]; then stage='done'; status succeeded 0; else status failed "$rc"; echo "== failed in step $stage, exit code $rc"; fi`,
      // Close our end of the log pipe and let the logger drain, so the log is complete on exit.
      'exec >&- 2>&-; wait "$logger_pid"; exit "$rc"; }',
      `trap 'echo "line $LINENO: $BASH_COMMAND: exit $?"' ERR`,
      "trap finish EXIT",
      "status running",
    ].join("\n");
  },
};
