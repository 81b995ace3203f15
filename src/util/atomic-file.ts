// Replace a file so that a kill at any moment leaves the old content or the new, never a torn
// file: write a temporary beside it, fsync, rename over, fsync the directory. Shared by the
// emulator's --state file and LocalEngine's state file.
import { randomBytes } from "node:crypto";
import { constants, promises as fs } from "node:fs";
import * as path from "node:path";

/** `.<name>.<pid>.<random>.tmp` beside the file; the pid says whose it was if a kill leaves one. */
export function temporaryPathFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
}

/** Whether `entry` (a name in the file's directory) is a temporary left by `writeFileAtomic` for `file`. */
export function isTemporaryOf(file: string, entry: string): boolean {
  const prefix = `.${path.basename(file)}.`;
  return entry.startsWith(prefix) && /^\d+(\.[0-9a-f]+)?\.tmp$/.test(entry.slice(prefix.length));
}

/** Removes temporaries a killed writer left beside `file`. */
export async function removeStaleTemporaries(file: string): Promise<void> {
  const dir = path.dirname(file);
  const entries = await fs.readdir(dir).catch(() => [] as string[]);
  for (const entry of entries) if (isTemporaryOf(file, entry)) await fs.rm(path.join(dir, entry), { force: true });
}

/** Writes `text` to `file` atomically and durably, with `mode` (default 0600: state is private). */
export async function writeFileAtomic(file: string, text: string, mode = 0o600): Promise<void> {
  const tmp = temporaryPathFor(file);
  try {
    const handle = await fs.open(tmp, "w", mode);
    try {
      await handle.writeFile(text, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await syncDirectory(path.dirname(file));
}

/** The rename is durable only once the directory entry is; some file systems refuse to fsync one. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, constants.O_RDONLY);
    await handle.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "EINVAL" && code !== "EISDIR" && code !== "EPERM" && code !== "ENOTSUP") throw err;
  } finally {
    await handle?.close();
  }
}
