// YAML task files in the seed's format (snake_case, `parseTaskConfig` reads it): every problem
// reported with the file's line and column, and the seed's "did you mean" suggestions.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from "yaml";
import { ValidationError, type FieldError } from "../fcp-api/errors";
import { validateTaskConfig, type TaskConfig, type TaskConfigInput, type TaskConfigParseOptions } from "./task-config";

/** A field error with where it is in the file (1-based), when the field is in the file. */
export interface TaskFileFieldError extends FieldError {
  line?: number;
  column?: number;
}

export interface TaskFile {
  /** The parsed config; `codeDir` is resolved against the file's directory. */
  config: TaskConfig;
  /** The document as written. */
  raw: Record<string, unknown>;
  file: string;
}

/** Parses YAML text as a TaskConfig; `file` names it in messages and anchors `codeDir`. */
export function parseTaskFileText(text: string, file: string, options: TaskConfigParseOptions = {}): TaskFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => lines.linePos(offset);
  if (doc.errors.length) {
    const errors: TaskFileFieldError[] = doc.errors.map((e) => {
      const { line, col } = at(e.pos[0]);
      return { field: "(yaml)", message: e.message.split("\n")[0], line, column: col };
    });
    throw fileError(file, "is not valid YAML", errors, ["Check the indentation and quoting at that line; YAML uses spaces, not tabs."]);
  }
  const raw: unknown = doc.toJS();
  if (!isMap(doc.contents)) {
    throw fileError(file, "must be a mapping of TaskConfig fields", [{ field: "(config)", message: "must be a mapping such as `name: train`" }], [
      "Start the file with e.g. `name: train`, `instance_type: a100`, `command: python train.py`.",
    ]);
  }
  const result = validateTaskConfig(raw, options);
  if (!result.config) {
    const errors = result.errors.map((e): TaskFileFieldError => {
      const node = nodeAt(doc.contents as Node, e.field);
      if (!node?.range) return e;
      const { line, col } = at(node.range[0]);
      return { ...e, line, column: col };
    });
    throw fileError(file, `has ${errors.length} problem${errors.length === 1 ? "" : "s"}`, errors, result.suggestions);
  }
  const config = { ...result.config };
  if (config.uploadCode) config.codeDir = path.resolve(path.dirname(path.resolve(file)), config.codeDir ?? ".");
  return { config, raw: raw as Record<string, unknown>, file };
}

/** Reads and parses a YAML task file. Throws `ValidationError` whose `fieldErrors` carry line/column. */
export function loadTaskFile(file: string, options: TaskConfigParseOptions = {}): TaskFile {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ValidationError(`Cannot read task file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`, {
      field: "file",
      suggestions: ["Check the path; task files are YAML (e.g. task.yaml)."],
    });
  }
  return parseTaskFileText(text, file, options);
}

function fileError(file: string, what: string, errors: TaskFileFieldError[], suggestions: string[]): ValidationError {
  const lines = errors.map((e) => `  ${file}:${e.line ?? "?"}:${e.column ?? "?"}: ${e.field === "(yaml)" ? "" : `${e.field}: `}${e.message}`);
  return new ValidationError(`${file} ${what}:\n${lines.join("\n")}`, {
    field: errors.length === 1 ? errors[0].field : undefined,
    fieldErrors: errors,
    suggestions,
  });
}

/**
 * The node a field path points at (`volumes[0].mount_path`); an unknown key points at the key
 * itself, a missing field at its parent.
 */
function nodeAt(root: Node, field: string): Node | undefined {
  const parts = field.match(/[^.[\]]+/g) ?? [];
  let node: Node = root;
  let keyNode: Node | undefined;
  for (const part of parts) {
    const key: string | number = /^\d+$/.test(part) ? Number(part) : part;
    keyNode = undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === key);
      if (!pair) return node;
      keyNode = pair.key as Node;
      if (!pair.value) return keyNode;
      node = pair.value as Node;
    } else if (isSeq(node) && typeof key === "number") {
      const item = node.items[key] as Node | undefined;
      if (!item) return node;
      node = item;
    } else {
      return node;
    }
  }
  // A field's error is reported at its key (`instance_type:`), an item's at the item.
  return keyNode ?? node;
}

/** A parsed TaskConfig written back as the camelCase input `Task` and `parseTaskConfig` take. */
export function taskConfigToInput(config: TaskConfig): TaskConfigInput {
  const entry = config.entrypoint;
  const input: TaskConfigInput = {
    name: config.name,
    ...(entry.kind === "argv" ? { command: entry.argv } : entry.kind === "shell" ? { shell: entry.commandLine } : { script: entry.content }),
    env: config.env,
    volumes: config.volumes.map((v) => ({ ...v })),
    maxPricePerHour: config.maxPricePerHour,
    numInstances: config.numInstances,
    workingDir: config.workingDir,
    uploadCode: config.uploadCode,
    priority: config.priority,
  };
  if (config.instanceType !== undefined) input.instanceType = config.instanceType;
  if (config.minGpuMemoryGb !== undefined) input.minGpuMemoryGb = config.minGpuMemoryGb;
  if (config.image !== undefined) input.image = config.image;
  if (config.sshKeys !== undefined) input.sshKeys = config.sshKeys;
  if (config.maxRunTimeHours !== undefined) input.maxRunTimeHours = config.maxRunTimeHours;
  if (config.region !== undefined) input.region = config.region;
  if (config.codeDir !== undefined) input.codeDir = config.codeDir;
  return input;
}
