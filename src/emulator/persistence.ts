// The --state file. Every save is atomic and durable before a response goes out: write a
// temporary file, fsync it, rename it over the old one, fsync the directory. A kill at any moment
// leaves either the old or the new file, never a torn one. A file that is not ours, or is
// damaged, is refused and left exactly as it was. A lock file keeps two emulators off one state.
import { constants, promises as fs } from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { STATE_FORMAT, STATE_VERSION, stateFile, type EmulatorState } from "./state";

/** A state file that cannot be used. The message says why and what to do. */
export class StateFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StateFileError";
  }
}

export class StateFile {
  private closed = false;

  private constructor(
    readonly filePath: string,
    private readonly lockPath: string,
  ) {}

  /**
   * Opens (or creates) the state file. Returns the saved state, or `undefined` for a new file,
   * which the caller seeds and saves.
   */
  static async open(filePath: string): Promise<{ file: StateFile; state: EmulatorState | undefined }> {
    const absolute = path.resolve(filePath);
    const lockPath = `${absolute}.lock`;
    await acquireLock(absolute, lockPath);
    const file = new StateFile(absolute, lockPath);
    try {
      await removeStaleTemporaries(absolute);
      const state = await readState(absolute);
      return { file, state };
    } catch (err) {
      await file.close();
      throw err;
    }
  }

  /** Replaces the file's content atomically and durably. */
  async save(text: string): Promise<void> {
    if (this.closed) throw new Error(`State file ${this.filePath} is closed; the change was not saved.`);
    const tmp = temporaryPath(this.filePath);
    const handle = await fs.open(tmp, "w", 0o600);
    try {
      await handle.writeFile(text, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, this.filePath);
    await syncDirectory(path.dirname(this.filePath));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await fs.rm(this.lockPath, { force: true });
  }
}

export function serializeState(state: EmulatorState): string {
  return `${JSON.stringify({ format: STATE_FORMAT, version: STATE_VERSION, state })}\n`;
}

function temporaryPath(filePath: string): string {
  return path.join(path.dirname(filePath), `.${path.basename(filePath)}.${process.pid}.tmp`);
}

async function removeStaleTemporaries(filePath: string): Promise<void> {
  const dir = path.dirname(filePath);
  const prefix = `.${path.basename(filePath)}.`;
  let entries: string[];
  try {
    entries = await fs.readdir(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    if (entry.startsWith(prefix) && /\.\d+\.tmp$/.test(entry)) await fs.rm(path.join(dir, entry), { force: true });
  }
}

async function syncDirectory(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, constants.O_RDONLY);
    await handle.sync();
  } catch (err) {
    // Some file systems refuse fsync on a directory; the rename itself is still atomic there.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "EINVAL" && code !== "EISDIR" && code !== "EPERM") throw err;
  } finally {
    await handle?.close();
  }
}

async function readState(filePath: string): Promise<EmulatorState | undefined> {
  let text: string;
  try {
    text = await fs.readFile(filePath, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new StateFileError(`Cannot read state file ${filePath}: ${(err as Error).message}.`);
  }
  const untouched = "It was left untouched: move it away, or pass another --state path.";
  if (text.trim() === "") {
    throw new StateFileError(`Refusing state file ${filePath}: it is empty, so it was not written by fcp-emulator. ${untouched}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new StateFileError(
      `Refusing state file ${filePath}: it is not valid JSON (${(err as Error).message}); it is damaged or not an fcp-emulator state file. ${untouched}`,
    );
  }
  const envelope = z.object({ format: z.unknown(), version: z.unknown() }).partial().safeParse(json);
  const format = envelope.success ? envelope.data.format : undefined;
  const version = envelope.success ? envelope.data.version : undefined;
  if (format !== STATE_FORMAT) {
    throw new StateFileError(
      `Refusing state file ${filePath}: it is not an fcp-emulator state file (expected "format": "${STATE_FORMAT}"). ${untouched}`,
    );
  }
  if (version !== STATE_VERSION) {
    throw new StateFileError(
      `Refusing state file ${filePath}: it has version ${JSON.stringify(version)}, and this fcp-emulator reads version ${STATE_VERSION}. Use the fcp-emulator that wrote it. ${untouched}`,
    );
  }
  const parsed = stateFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new StateFileError(
      `Refusing state file ${filePath}: it is damaged (${issue.path.join(".") || "(root)"}: ${issue.message}). ${untouched}`,
    );
  }
  return parsed.data.state;
}

async function acquireLock(filePath: string, lockPath: string): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await fs.open(lockPath, "wx", 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") {
        throw new StateFileError(`Cannot create lock file ${lockPath} for state file ${filePath}: ${(err as Error).message}.`);
      }
    }
    const owner = Number((await fs.readFile(lockPath, "utf8").catch(() => "")).trim());
    if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
      throw new StateFileError(
        `State file ${filePath} is in use by another fcp-emulator (pid ${owner}). Stop it first, or pass another --state path.`,
      );
    }
    // The owner died without cleaning up (kill -9): the lock is stale.
    await fs.rm(lockPath, { force: true });
  }
  throw new StateFileError(`Cannot lock state file ${filePath}: another process keeps taking ${lockPath}.`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
