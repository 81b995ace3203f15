// A lock file that holds its owner's pid, created with O_EXCL. A lock whose owner is gone (kill -9)
// is stale and taken over. Shared by the emulator's --state file and LocalEngine's state file;
// callers turn a refusal into their own message.
import { promises as fs } from "node:fs";

export interface PidLock {
  readonly path: string;
  release(): Promise<void>;
}

export type PidLockAttempt =
  | { acquired: true; lock: PidLock }
  /** `owner` is the live process holding it, or undefined when it kept reappearing (a race). */
  | { acquired: false; owner: number | undefined };

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes `lockPath` for this process. Errors other than "exists" (permissions, no directory) are thrown. */
export async function acquirePidLock(lockPath: string): Promise<PidLockAttempt> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await fs.open(lockPath, "wx", 0o600);
      try {
        await handle.writeFile(`${process.pid}\n`, "utf8");
      } finally {
        await handle.close();
      }
      let released = false;
      const lock: PidLock = {
        path: lockPath,
        release: async () => {
          if (released) return;
          released = true;
          await fs.rm(lockPath, { force: true });
        },
      };
      return { acquired: true, lock };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const owner = Number.parseInt(await fs.readFile(lockPath, "utf8").catch(() => ""), 10);
    if (Number.isInteger(owner) && owner > 0 && processAlive(owner)) return { acquired: false, owner };
    await fs.rm(lockPath, { force: true });
  }
  return { acquired: false, owner: undefined };
}
