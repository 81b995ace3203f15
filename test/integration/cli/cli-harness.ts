// Runs the built `flow` binary (dist/cli/main.js) as a child process against an emulator, with
// its own HOME, and collects what it prints; `spawnFlow` keeps it running for streaming tests.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";

export const FLOW_BIN = path.resolve(__dirname, "../../../dist/cli/main.js");
if (!existsSync(FLOW_BIN)) throw new Error(`${FLOW_BIN} is missing: run \`npm run build\` first (these tests run the built binary).`);

export interface FlowRun { code: number | null; out: string; err: string }

export function flowEnv(emu: { url: string; apiKey: string }, home: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    FCP_API_URL: emu.url,
    FCP_API_KEY: emu.apiKey,
    FCP_PROJECT: "my-project",
    FCP_REGION: "us-central1-b",
    ...extra,
  };
}

export function flow(args: string[], env: Record<string, string>, options: { cwd?: string; input?: string; timeoutMs?: number } = {}): Promise<FlowRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FLOW_BIN, ...args], { env, cwd: options.cwd, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d));
    child.stderr.on("data", (d: Buffer) => (err += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 90_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
    child.stdin.end(options.input ?? "");
  });
}

/** A running `flow` whose stdout can be awaited line by line. */
export class FlowProcess {
  readonly child: ChildProcess;
  out = "";
  err = "";
  private waiters: Array<() => void> = [];
  readonly exited: Promise<number | null>;

  constructor(args: string[], env: Record<string, string>, cwd?: string) {
    this.child = spawn(process.execPath, [FLOW_BIN, ...args], { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
    const wake = () => this.waiters.splice(0).forEach((w) => w());
    this.child.stdout!.on("data", (d: Buffer) => {
      this.out += d;
      wake();
    });
    this.child.stderr!.on("data", (d: Buffer) => {
      this.err += d;
      wake();
    });
    this.exited = new Promise((resolve) => this.child.on("close", (code) => {
      wake();
      resolve(code);
    }));
  }

  /** Resolves once stdout matches; fails after the deadline with what was printed. */
  async waitFor(re: RegExp, deadlineMs = 60_000): Promise<void> {
    const until = Date.now() + deadlineMs;
    while (!re.test(this.out)) {
      if (this.child.exitCode !== null || Date.now() > until) throw new Error(`flow never printed ${re}; stdout: ${this.out}\nstderr: ${this.err}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, Math.max(0, until - Date.now())).unref();
      });
    }
  }
}
