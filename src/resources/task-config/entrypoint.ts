// The one thing a Task runs, resolved from `command`, `shell` or `script`.
import { DEFAULT_SCRIPT_INTERPRETER } from "./limits";
import type { TaskEntrypoint } from "./types";

/** The entrypoint fields after their own schemas passed; exactly one of them is set. */
export interface EntrypointFields {
  command?: string[] | string;
  shell?: string;
  script?: string;
}

export function entrypointOf(v: EntrypointFields): TaskEntrypoint {
  if (Array.isArray(v.command)) return { kind: "argv", argv: [...v.command] };
  if (typeof v.command === "string") return { kind: "shell", commandLine: v.command.trim() };
  if (v.shell !== undefined) return { kind: "shell", commandLine: v.shell.trim() };
  const content = dedent(v.script!);
  const first = content.split("\n", 1)[0];
  const interpreter = first.startsWith("#!") ? first.slice(2).trim().split(/\s+/) : [...DEFAULT_SCRIPT_INTERPRETER];
  return { kind: "script", content: content.endsWith("\n") ? content : `${content}\n`, interpreter };
}

// Removes leading blank lines, trailing whitespace and the indentation common to every line.
export function dedent(text: string): string {
  const lines = text.replace(/\r\n/g, "\n").replace(/^\s*\n/, "").replace(/\s+$/, "").split("\n");
  const indents = lines.filter((l) => l.trim()).map((l) => /^[ \t]*/.exec(l)![0].length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(Math.min(cut, /^[ \t]*/.exec(l)![0].length))).join("\n");
}
