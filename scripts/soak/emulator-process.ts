// The emulator as the soak runs it: the real `fcp-emulator` command (dist/emulator/cli.js) in a
// child process with a state file, so it can be killed with SIGKILL and started again on the
// same port and state, the way a crashed FCP front end comes back.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";

export const EMULATOR_CLI = path.resolve(__dirname, "../../dist/emulator/cli.js");

export class EmulatorProcess {
  private child?: ChildProcess;
  private exited?: Promise<void>;
  url = "";
  port = 0;
  kills = 0;

  constructor(
    private readonly statePath: string,
    private readonly seed: number,
  ) {}

  async start(): Promise<void> {
    if (!existsSync(EMULATOR_CLI)) throw new Error(`${EMULATOR_CLI} is missing: run \`npm run build\` first (npm run soak does).`);
    const args = [EMULATOR_CLI, "--port", String(this.port), "--state", this.statePath, "--seed", String(this.seed), "--instances", "none", "--provision-seconds", "0"];
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()));
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    const first = await new Promise<string>((resolve, reject) => {
      let out = "";
      const onData = (d: Buffer) => {
        out += d.toString();
        const nl = out.indexOf("\n");
        if (nl >= 0) {
          child.stdout?.off("data", onData);
          child.stdout?.resume();
          resolve(out.slice(0, nl));
        }
      };
      child.stdout?.on("data", onData);
      child.once("exit", (code, signal) => reject(new Error(`fcp-emulator exited (${code ?? signal}) before listening: ${stderr.trim()}`)));
    });
    const m = /^fcp-emulator listening on (http:\/\/\S+)$/.exec(first);
    if (!m) throw new Error(`fcp-emulator printed ${JSON.stringify(first)} instead of its listening line`);
    this.url = m[1];
    this.port = Number(new URL(this.url).port);
  }

  /** kill -9, then the same command on the same port and state file. */
  async killAndRestart(): Promise<void> {
    this.child?.kill("SIGKILL");
    await this.exited;
    this.kills += 1;
    await this.start();
  }

  async stop(): Promise<void> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill("SIGTERM");
    await this.exited;
  }
}
