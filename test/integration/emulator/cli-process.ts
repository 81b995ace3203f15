// The real `fcp-emulator` command as a child process (the built dist/emulator/cli.js).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";

export const CLI = path.resolve(__dirname, "../../../dist/emulator/cli.js");

export interface EmulatorProcess {
  child: ChildProcess;
  url: string;
  firstLine: string;
  /** Everything printed on stdout so far, the first line included. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or signal name) once the process has ended. */
  exited: Promise<number | string>;
}

export function requireBuiltCli(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` before the integration tests.`);
}

function track(child: ChildProcess): { exited: Promise<number | string>; stderr: () => string; stdout: () => string } {
  let err = "";
  let out = "";
  child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal ?? "unknown")));
  return { exited, stderr: () => err, stdout: () => out };
}

/** Starts the CLI and waits for its first stdout line; fails if it exits first. */
export async function startCli(args: string[], deadlineMs = 60_000): Promise<EmulatorProcess> {
  requireBuiltCli();
  const child = spawn(process.execPath, [CLI, "--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const t = track(child);
  const firstLine = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`fcp-emulator printed no first line within ${deadlineMs} ms; stderr: ${t.stderr()}`)), deadlineMs);
    const onData = () => {
      const nl = t.stdout().indexOf("\n");
      if (nl >= 0) {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        resolve(t.stdout().slice(0, nl));
      }
    };
    child.stdout?.on("data", onData);
    void t.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`fcp-emulator exited (${code}) before listening; stderr: ${t.stderr()}`));
    });
  });
  const m = /^fcp-emulator listening on (http:\/\/\S+)$/.exec(firstLine);
  if (!m) throw new Error(`unexpected first line: ${JSON.stringify(firstLine)}`);
  return { child, url: m[1], firstLine, stdout: t.stdout, stderr: t.stderr, exited: t.exited };
}

/** Runs the CLI expecting it to fail at start. */
export async function failingCli(args: string[]): Promise<{ code: number | string; stderr: string; stdout: string }> {
  requireBuiltCli();
  const child = spawn(process.execPath, [CLI, "--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const t = track(child);
  const code = await t.exited;
  return { code, stderr: t.stderr(), stdout: t.stdout() };
}
