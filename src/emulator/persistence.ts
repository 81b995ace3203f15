// The --state file. Every save is atomic and durable before a response goes out: write a
// temporary file, fsync it, rename it over the old one, fsync the directory. A kill at any moment
// leaves either the old or the new file, never a torn one. A file that is not ours, or is
// damaged, is refused and left exactly as it was. A lock file keeps two emulators off one state.
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { acquirePidLock, type PidLock } from "../util/pid-lock";
import { removeStaleTemporaries, writeFileAtomic } from "../util/atomic-file";
import { STATE_FORMAT, STATE_VERSION, stateFile, type EmulatorState } from "./state";

/** A state file that cannot be used. The message says why and what to do. */
export class EmulatorStateFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EmulatorStateFileError";
  }
}

export class StateFile {
  private closed = false;

  private constructor(
    readonly filePath: string,
    private readonly lock: PidLock,
  ) {}

  /**
   * Opens (or creates) the state file. Returns the saved state, or `undefined` for a new file,
   * which the caller seeds and saves.
   */
  static async open(filePath: string): Promise<{ file: StateFile; state: EmulatorState | undefined }> {
    const absolute = path.resolve(filePath);
    const file = new StateFile(absolute, await lockStateFile(absolute));
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
    await writeFileAtomic(this.filePath, text);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.lock.release();
  }
}

export function serializeState(state: EmulatorState): string {
  return `${JSON.stringify({ format: STATE_FORMAT, version: STATE_VERSION, state })}\n`;
}

async function readState(filePath: string): Promise<EmulatorState | undefined> {
  let text: string;
  try {
    text = await fs.readFile(filePath, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new EmulatorStateFileError(`Cannot read state file ${filePath}: ${(err as Error).message}.`);
  }
  const untouched = "It was left untouched: move it away, or pass another --state path.";
  if (text.trim() === "") {
    throw new EmulatorStateFileError(`Refusing state file ${filePath}: it is empty, so it was not written by fcp-emulator. ${untouched}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new EmulatorStateFileError(
      `Refusing state file ${filePath}: it is not valid JSON (${(err as Error).message}); it is damaged or not an fcp-emulator state file. ${untouched}`,
    );
  }
  const envelope = z.object({ format: z.unknown(), version: z.unknown() }).partial().safeParse(json);
  const format = envelope.success ? envelope.data.format : undefined;
  const version = envelope.success ? envelope.data.version : undefined;
  if (format !== STATE_FORMAT) {
    throw new EmulatorStateFileError(
      `Refusing state file ${filePath}: it is not an fcp-emulator state file (expected "format": "${STATE_FORMAT}"). ${untouched}`,
    );
  }
  if (version !== STATE_VERSION) {
    throw new EmulatorStateFileError(
      `Refusing state file ${filePath}: it has version ${JSON.stringify(version)}, and this fcp-emulator reads version ${STATE_VERSION}. Use the fcp-emulator that wrote it. ${untouched}`,
    );
  }
  const parsed = stateFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new EmulatorStateFileError(
      `Refusing state file ${filePath}: it is damaged (${issue.path.join(".") || "(root)"}: ${issue.message}). ${untouched}`,
    );
  }
  return parsed.data.state;
}

async function lockStateFile(filePath: string): Promise<PidLock> {
  const lockPath = `${filePath}.lock`;
  let attempt;
  try {
    attempt = await acquirePidLock(lockPath);
  } catch (err) {
    throw new EmulatorStateFileError(`Cannot create lock file ${lockPath} for state file ${filePath}: ${(err as Error).message}.`);
  }
  if (attempt.acquired) return attempt.lock;
  if (attempt.owner === undefined) throw new EmulatorStateFileError(`Cannot lock state file ${filePath}: another process keeps taking ${lockPath}.`);
  throw new EmulatorStateFileError(
    `State file ${filePath} is in use by another fcp-emulator (pid ${attempt.owner}). Stop it first, or pass another --state path.`,
  );
}
