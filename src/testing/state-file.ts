// The state file: one JSON document, replaced atomically (write a temporary file, fsync, rename),
// so a crash or a killed test leaves either the old state or the new one, never half of each.
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "../util/atomic-file";
import { StateFileError } from "./errors";
import { resourceStateSchema, type ResourceState } from "./resource-state";
import { secretsHeaderSchema, type SecretsHeader } from "./secrets";

const STATE_VERSION = 1;

const stateFileSchema = z.object({
  version: z.literal(STATE_VERSION),
  project: z.string().min(1),
  stack: z.string().min(1),
  secrets: secretsHeaderSchema.optional(),
  resources: z.array(resourceStateSchema),
});

export interface StateFileContents {
  project: string;
  stack: string;
  secrets?: SecretsHeader;
  /** Resources in dependency order; secret values are in their encrypted form. */
  resources: ResourceState[];
}

/** Reads the state file, or `undefined` when it does not exist yet (a new stack). */
export async function readStateFile(file: string): Promise<StateFileContents | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") {
      return undefined;
    }
    throw new StateFileError(file, `cannot be read: ${(err as Error).message}`, { cause: err });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new StateFileError(file, `is not valid JSON (${(err as Error).message}); restore it or delete it.`, {
      cause: err,
    });
  }
  const parsed = stateFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new StateFileError(
      file,
      `is not a LocalEngine state file (version ${STATE_VERSION}): ${issue?.path.join(".") || "<root>"}: ${issue?.message}`,
    );
  }
  const { project, stack, secrets, resources } = parsed.data;
  return { project, stack, secrets, resources };
}

/** Writes the state file atomically; the file is private to the user (mode 0600). */
export async function writeStateFile(file: string, contents: StateFileContents): Promise<void> {
  const body = `${JSON.stringify({ version: STATE_VERSION, ...contents }, null, 2)}\n`;
  try {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await writeFileAtomic(file, body);
  } catch (err) {
    throw new StateFileError(file, `cannot be written: ${(err as Error).message}`, { cause: err });
  }
}
