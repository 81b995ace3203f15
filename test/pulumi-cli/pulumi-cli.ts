// Runs the real Pulumi CLI (file backend in a temp dir, passphrase secrets) for the acceptance suite.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import * as path from "node:path";

export const REPO_ROOT = path.resolve(__dirname, "../..");

/** The CLI on PATH, else the one scripts/pulumi-cli/build.sh left in the cache; throws otherwise. */
export function findPulumiBin(): string {
  const onPath = spawnSync("pulumi", ["version"], { encoding: "utf8" });
  if (onPath.status === 0) {
    const which = spawnSync("sh", ["-c", "command -v pulumi"], { encoding: "utf8" });
    return path.dirname(which.stdout.trim());
  }
  const version = (require(path.join(REPO_ROOT, "package-lock.json")) as { packages: Record<string, { version: string }> })
    .packages["node_modules/@pulumi/pulumi"].version;
  const cache = process.env.PULUMI_FCP_CACHE ?? path.join(homedir(), ".cache/pulumi-fcp");
  const bin = path.join(cache, "pulumi-cli", `v${version}`, "bin");
  if (existsSync(path.join(bin, "pulumi"))) return bin;
  throw new Error(
    `No Pulumi CLI: none on PATH and none in ${bin}. Build it with scripts/pulumi-cli/build.sh ` +
      `(Go 1.26 and the Go module proxy), then run npm run test:pulumi-cli again.`,
  );
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export class PulumiWorkspace {
  readonly home = mkdtempSync(path.join(tmpdir(), "pulumi-fcp-cli-"));
  private readonly env: NodeJS.ProcessEnv;

  constructor(
    bin: string,
    private readonly cwd: string,
    extraEnv: Record<string, string> = {},
  ) {
    this.env = {
      ...process.env,
      PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}`,
      PULUMI_HOME: path.join(this.home, "pulumi-home"),
      PULUMI_BACKEND_URL: `file://${path.join(this.home, "backend")}`,
      PULUMI_CONFIG_PASSPHRASE: "acceptance",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      ...extraEnv,
    };
    mkdirSync(path.join(this.home, "backend"), { recursive: true });
  }

  /** Asynchronous: the emulator serves from this same process. */
  run(args: string[]): Promise<CliResult> {
    return this.spawnCollect("pulumi", [...args, "--cwd", this.cwd, "--non-interactive"], this.cwd, {});
  }

  /** Runs a bash script (a CI workflow step) in `cwd` with this workspace's CLI, backend and secrets. */
  bash(script: string, cwd: string, extraEnv: Record<string, string> = {}): Promise<CliResult> {
    return this.spawnCollect("bash", ["-euo", "pipefail", "-c", script], cwd, extraEnv);
  }

  private spawnCollect(command: string, args: string[], cwd: string, extraEnv: Record<string, string>): Promise<CliResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, { cwd, env: { ...this.env, ...extraEnv }, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
      child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      child.on("error", reject);
      child.on("close", (status) => resolve({ status, stdout, stderr }));
    });
  }

  /**
   * `stack init` and the config of a stack against an emulator (`fcp:apiUrl`, the secret
   * `fcp:apiKey`, `fcp:project`), plus `more` (key → value, e.g. the program's own config).
   */
  async initStack(stack: string, emulator: { url: string; apiKey: string }, more: Record<string, string> = {}): Promise<void> {
    await this.ok(["stack", "init", stack]);
    await this.ok(["config", "set", "fcp:apiUrl", emulator.url]);
    await this.ok(["config", "set", "--secret", "fcp:apiKey", emulator.apiKey]);
    await this.ok(["config", "set", "fcp:project", "my-project"]);
    for (const [key, value] of Object.entries(more)) await this.ok(["config", "set", key, value]);
  }

  /**
   * Leaves nothing billed, even after a failed step, and removes the stack; `stack rm` also
   * deletes Pulumi.<stack>.yaml, so the program's directory stays clean.
   */
  async removeStack(stack: string): Promise<void> {
    await this.run(["destroy", "--yes", "--skip-preview"]);
    await this.run(["stack", "rm", "--yes", "--force", stack]);
  }

  /** Runs and insists on exit code 0, showing the CLI's output when it is not. */
  async ok(args: string[]): Promise<string> {
    const r = await this.run(args);
    if (r.status !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  }

  dispose(): void {
    rmSync(this.home, { recursive: true, force: true });
  }
}
