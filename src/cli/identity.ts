// `--identity FILE`: reach a task with a private key of your own (e.g. a stack's `privateKey`
// output saved to a file), refused when others can read it, as ssh does.
import { readFileSync, statSync } from "node:fs";
import type { TaskHandle } from "../sdk/task-handle";
import { UsageError } from "./exit-codes";

export const IDENTITY_FLAGS = "--identity <file>";
export const IDENTITY_HELP = "private key to use instead of the one in ~/.flow/keys";

export function applyIdentity(handle: TaskHandle, file: string | undefined): TaskHandle {
  if (!file) return handle;
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch {
    throw new UsageError(`No such key file: ${file}.`);
  }
  if (mode & 0o077) throw new UsageError(`${file} can be read by group or others (mode ${(mode & 0o777).toString(8)}).`, [`Run \`chmod 600 ${file}\`.`]);
  return handle.useKey(readFileSync(file, "utf8"), file);
}
