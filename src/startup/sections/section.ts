import type { ResolvedStartupSpec } from "../resolve-startup-spec";

/** The sections of a startup script, in the order they run. */
export const STARTUP_SECTION_NAMES = ["header", "environment", "volumes", "delivery", "code", "cluster", "run", "limits", "completion"] as const;
export type StartupSectionName = (typeof STARTUP_SECTION_NAMES)[number];

/**
 * One part of the script. `render` returns bash (no trailing newline), or `undefined` when the
 * spec does not need the section. Sections after `header` may call its functions: `step NAME`
 * (records the step in the status file), `status`, and read `task_pid`/`task_env` as documented
 * in the section that sets them.
 */
export interface StartupSection {
  readonly name: StartupSectionName;
  render(spec: ResolvedStartupSpec): string | undefined;
}
