// One operation at a time per state file, across engines and processes: `<state>.lock` holds the
// owner's pid while an operation runs. A lock whose owner is gone is taken over.
import { promises as fs } from "node:fs";
import { StateFileError } from "./errors";

export interface StateLock {
  release(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export async function acquireStateLock(stateFile: string): Promise<StateLock> {
  const lockFile = `${stateFile}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await fs.open(lockFile, "wx", 0o600);
      try {
        await handle.writeFile(`${process.pid}\n`, "utf8");
      } finally {
        await handle.close();
      }
      let released = false;
      return {
        release: async () => {
          if (!released) {
            released = true;
            await fs.rm(lockFile, { force: true });
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") {
        throw new StateFileError(stateFile, `cannot create lock ${lockFile}: ${(err as Error).message}`, { cause: err });
      }
    }
    const owner = Number.parseInt(await fs.readFile(lockFile, "utf8").catch(() => ""), 10);
    if (Number.isInteger(owner) && alive(owner)) {
      throw new StateFileError(
        stateFile,
        `is in use by another operation (process ${owner}${owner === process.pid ? ", this process" : ""}); ` +
          `give each engine its own state file, or wait for the other operation to finish.`,
      );
    }
    await fs.rm(lockFile, { force: true });
  }
  throw new StateFileError(stateFile, `lock ${lockFile} keeps reappearing; another process is racing for it.`);
}
