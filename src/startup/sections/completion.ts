// Waits for the task; its exit code becomes the script's, and the header's EXIT trap records it
// (with timestamps) in the status file. A failing task is reported as a failure of step "run".
import { TASK_LOG_FILE } from "../constants";
import type { StartupSection } from "./section";

export const completionSection: StartupSection = {
  name: "completion",
  render() {
    return [
      `stage=run; status running; echo "== waiting for the task, output in ${TASK_LOG_FILE}"`,
      'rc=0; wait "$task_pid" || rc=$?',
      'echo "task exited with code $rc"',
      'exit "$rc"',
    ].join("\n");
  },
};
