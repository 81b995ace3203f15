// The user's env, kept in an array and exported only in the task's own process: a TAR_OPTIONS,
// LD_PRELOAD or TMPDIR meant for the task cannot change how this script's tar, mount or docker run.
import { shellQuote } from "../shell-quote";
import type { StartupSection } from "./section";

export const environmentSection: StartupSection = {
  name: "environment",
  render(spec) {
    if (spec.env.length === 0) return undefined;
    return ["task_env=(", ...spec.env.map(([name, value]) => shellQuote(`${name}=${value}`)), ")"].join("\n");
  },
};
