// One operation at a time per state file, across engines and processes: `<state>.lock` holds the
// owner's pid while an operation runs. A lock whose owner is gone is taken over.
import { acquirePidLock, type PidLock } from "../util/pid-lock";
import { StateFileError } from "./errors";

export type StateLock = Pick<PidLock, "release">;

export async function acquireStateLock(stateFile: string): Promise<StateLock> {
  const lockFile = `${stateFile}.lock`;
  let attempt;
  try {
    attempt = await acquirePidLock(lockFile);
  } catch (err) {
    throw new StateFileError(stateFile, `cannot create lock ${lockFile}: ${(err as Error).message}`, { cause: err });
  }
  if (attempt.acquired) return attempt.lock;
  const owner = attempt.owner;
  if (owner === undefined) throw new StateFileError(stateFile, `lock ${lockFile} keeps reappearing; another process is racing for it.`);
  throw new StateFileError(
    stateFile,
    `is in use by another operation (process ${owner}${owner === process.pid ? ", this process" : ""}); ` +
      `give each engine its own state file, or wait for the other operation to finish.`,
  );
}
