// The status file the script keeps at /var/lib/flow/status.json, for whoever reads it back
// (over SSH) to tell a running task from a finished or failed one.
import { z } from "zod";
import { STARTUP_SECTION_NAMES } from "./sections/section";

export const startupStatusSchema = z.object({
  task: z.string(),
  /** `running` until the script ends. */
  status: z.enum(["running", "succeeded", "failed"]),
  /** The step running, or the one that failed; `done` after success, `unpack` when the compressed form was corrupt. */
  step: z.enum([...STARTUP_SECTION_NAMES, "done", "unpack"]),
  /** The script's exit code (the task's, when step is `run`); null while running. */
  exit_code: z.number().int().nullable(),
  started_at: z.string().optional(),
  updated_at: z.string().optional(),
  finished_at: z.string().nullable().optional(),
});
export type StartupStatus = z.infer<typeof startupStatusSchema>;

/** Parses the text of status.json. Throws a ZodError or SyntaxError on anything else. */
export function parseStartupStatus(text: string): StartupStatus {
  return startupStatusSchema.parse(JSON.parse(text));
}
