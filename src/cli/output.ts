// What `flow` prints: tables for people, JSON with --json, a spinner only when stdout is a
// terminal, and errors with the seed's suggestions (on stderr, never holding a secret).
import { FlowError, redactSecrets } from "../fcp-api/errors";

export interface Column<T> {
  header: string;
  value: (row: T) => string;
  align?: "left" | "right";
}

export function table<T>(rows: readonly T[], columns: Column<T>[]): string {
  const cells = rows.map((r) => columns.map((c) => c.value(r)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => row[i].length)));
  const line = (values: string[]) =>
    values.map((v, i) => (columns[i].align === "right" ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join("  ").trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join("\n");
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function println(text = ""): void {
  process.stdout.write(`${text}\n`);
}

/** `3m`, `2h`, `4d` since an ISO time. */
export function age(iso: string | undefined, now = Date.now()): string {
  if (!iso) return "-";
  const s = Math.max(0, Math.floor((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

export function formatError(e: unknown): string {
  if (e instanceof FlowError) {
    const tips = e.suggestions.length ? `\n${e.suggestions.map((s) => `  hint: ${s}`).join("\n")}` : "";
    return `error: ${e.message}${tips}`;
  }
  const message = e instanceof Error ? e.message : String(e);
  return `error: ${redactSecrets(message)}`;
}

export function errorJson(e: unknown): Record<string, unknown> {
  if (e instanceof FlowError) return { error: e.toJSON() };
  return { error: { name: "Error", message: redactSecrets(e instanceof Error ? e.message : String(e)) } };
}

/** A spinner on stderr while `work` runs, when stdout is a terminal; plain otherwise. */
export async function withSpinner<T>(label: string | ((set: (text: string) => void) => string), work: (set: (text: string) => void) => Promise<T>): Promise<T> {
  let text = typeof label === "string" ? label : "";
  const set = (t: string) => (text = t);
  if (typeof label !== "string") text = label(set);
  if (!process.stdout.isTTY || !process.stderr.isTTY) return work(set);
  const frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
  let i = 0;
  const timer = setInterval(() => process.stderr.write(`\r${frames[i++ % frames.length]} ${text}\x1b[K`), 100);
  try {
    return await work(set);
  } finally {
    clearInterval(timer);
    process.stderr.write("\r\x1b[K");
  }
}
