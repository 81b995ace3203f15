// A Pulumi plugin as the CLI runs one: a child process that prints the port of its gRPC server
// on the first line of stdout. Everything else it writes is kept so results and errors can show it.
import { spawn, type ChildProcess } from "node:child_process";
import { PluginError } from "./errors";

/** What the engine gives every plugin it starts. */
export interface PluginContext {
  env: NodeJS.ProcessEnv;
  project: string;
  stack: string;
  organization: string;
  startTimeoutMs: number;
  /** Deadline of each gRPC call; none when absent. */
  operationTimeoutMs?: number;
}

export interface PluginProcessOptions extends PluginContext {
  /** Name used in errors and output headings, e.g. `dynamic-provider`. */
  name: string;
  /** Script run with the current Node binary. */
  script: string;
  args: readonly string[];
  cwd: string;
}

/** Output kept per stream; older output is dropped past this size. */
const MAX_CAPTURE_CHARS = 1_000_000;

class Capture {
  private text = "";
  private dropped = 0;

  append(chunk: string): void {
    this.text += chunk;
    if (this.text.length > MAX_CAPTURE_CHARS) {
      const cut = this.text.length - MAX_CAPTURE_CHARS;
      this.text = this.text.slice(cut);
      this.dropped += cut;
    }
  }

  /** Position to read from later with {@link since}. */
  mark(): number {
    return this.dropped + this.text.length;
  }

  since(mark: number): string {
    return this.text.slice(Math.max(0, mark - this.dropped));
  }

  all(): string {
    return this.text;
  }
}

const running = new Set<ChildProcess>();
let exitHooked = false;

/** Kills the plugins still running when this process exits (one listener for all of them). */
function killOnExit(child: ChildProcess): void {
  if (!exitHooked) {
    exitHooked = true;
    process.on("exit", () => {
      for (const c of running) {
        c.kill("SIGKILL");
      }
    });
  }
  running.add(child);
  child.once("exit", () => running.delete(child));
}

export class PluginProcess {
  readonly stderr = new Capture();
  /** stdout after the port line. */
  readonly stdout = new Capture();
  private exitInfo: string | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        this.exitInfo = signal ? `killed by ${signal}` : `exited with code ${code}`;
        resolve();
      });
    });
  }

  /** Spawns the plugin and resolves with it once it has printed its port. */
  static async start(options: PluginProcessOptions): Promise<{ plugin: PluginProcess; port: number }> {
    const child = spawn(process.execPath, [options.script, ...options.args], {
      cwd: options.cwd,
      // The CLI tells Node.js plugins their stack through these.
      env: {
        ...options.env,
        PULUMI_NODEJS_PROJECT: options.project,
        PULUMI_NODEJS_STACK: options.stack,
        PULUMI_NODEJS_ORGANIZATION: options.organization,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const plugin = new PluginProcess(options.name, child);
    // A test that forgets close() must not hang Jest on these handles, nor leave the process behind.
    child.unref();
    killOnExit(child);
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => plugin.stderr.append(chunk));
    child.stdout?.setEncoding("utf8");
    const port = await new Promise<number>((resolve, reject) => {
      let firstLine = "";
      let settled = false;
      const settle = (err: Error | undefined, value?: number): void => {
        if (settled) {
          return;
        }
        settled = true;
        clearTimeout(timer);
        if (err) {
          child.kill("SIGKILL");
          reject(err);
        } else {
          resolve(value as number);
        }
      };
      const timer = setTimeout(
        () =>
          settle(
            new PluginError(
              options.name,
              `did not report its port within ${options.startTimeoutMs} ms (cwd ${options.cwd})`,
              plugin.stderr.all(),
            ),
          ),
        options.startTimeoutMs,
      );
      child.once("error", (err) =>
        settle(new PluginError(options.name, `could not be started: ${err.message}`, plugin.stderr.all(), { cause: err })),
      );
      void plugin.exited.then(() =>
        settle(
          new PluginError(
            options.name,
            `${plugin.exitInfo} before reporting its port (cwd ${options.cwd})`,
            plugin.stderr.all(),
          ),
        ),
      );
      child.stdout?.on("data", (chunk: string) => {
        if (settled) {
          plugin.stdout.append(chunk);
          return;
        }
        firstLine += chunk;
        const newline = firstLine.indexOf("\n");
        if (newline < 0) {
          return;
        }
        const line = firstLine.slice(0, newline).trim();
        plugin.stdout.append(firstLine.slice(newline + 1));
        const value = Number(line);
        if (Number.isInteger(value) && value > 0 && value < 65536) {
          settle(undefined, value);
        } else {
          settle(new PluginError(options.name, `printed "${line.slice(0, 200)}" instead of a port`, plugin.stderr.all()));
        }
      });
    });
    for (const stream of [child.stdout, child.stderr]) {
      (stream as unknown as { unref?: () => void } | null)?.unref?.();
    }
    return { plugin, port };
  }

  /** Why the process is gone, or `undefined` while it runs. */
  get exitReason(): string | undefined {
    return this.exitInfo;
  }

  /** Why the process exited, once it has or `ms` have passed (`undefined`: still running). */
  async exitWithin(ms: number): Promise<string | undefined> {
    if (this.exitInfo === undefined) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
      clearTimeout(timer);
    }
    return this.exitInfo;
  }

  /** Stops the plugin: SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.exitInfo !== undefined) {
      return;
    }
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
