// One ssh2 connection to one node, and what the SDK does over it: run a command and collect its
// output, stream a command's output line by line, or open an interactive shell.
import { Client, type ClientChannel, type PseudoTtyOptions } from "ssh2";
import { FlowError } from "../fcp-api/errors";

export interface SshTarget {
  host: string;
  port: number;
  username: string;
  privateKey: string;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export class SshConnectError extends FlowError {}

export function connectSsh(target: SshTarget, readyTimeoutMs = 20_000): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    client
      .once("ready", () => resolve(client))
      .once("error", (e) =>
        reject(
          new SshConnectError(`Cannot connect over SSH to ${target.username}@${target.host}:${target.port}: ${e.message}.`, {
            cause: e,
            suggestions: ["Check that the task is running (`flow status`) and that its key is in ~/.flow/keys/."],
          }),
        ),
      )
      .connect({ host: target.host, port: target.port, username: target.username, privateKey: target.privateKey, readyTimeout: readyTimeoutMs });
  });
}

function execChannel(client: Client, command: string, pty?: PseudoTtyOptions | false): Promise<ClientChannel> {
  return new Promise((resolve, reject) => client.exec(command, pty ? { pty } : {}, (e, ch) => (e ? reject(e) : resolve(ch))));
}

/**
 * Runs `command`, collecting stdout and stderr; the exit code is the remote one (255 for a
 * signal). With `timeoutMs` the connection is dropped after that long and the call rejects.
 */
export async function sshExec(target: SshTarget, command: string, timeoutMs?: number): Promise<ExecResult> {
  const client = await connectSsh(target, timeoutMs);
  let timer: NodeJS.Timeout | undefined;
  try {
    const ch = await execChannel(client, command);
    return await new Promise<ExecResult>((resolve, reject) => {
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          reject(new SshConnectError(`${command.split(" ")[0]} on ${target.host}:${target.port} did not finish within ${timeoutMs} ms.`));
          client.end();
        }, timeoutMs);
      }
      let stdout = "";
      let stderr = "";
      let exitCode = 255;
      ch.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
      ch.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
      ch.on("exit", (code: number | null) => (exitCode = code ?? 255));
      ch.on("close", () => resolve({ exitCode, stdout, stderr }));
    });
  } finally {
    clearTimeout(timer);
    client.end();
  }
}

/** Runs `command` with its output streamed to `stdout`/`stderr` as it arrives; resolves to the remote exit code. */
export async function sshExecPiped(target: SshTarget, command: string, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Promise<number> {
  const client = await connectSsh(target);
  try {
    const ch = await execChannel(client, command);
    ch.end(); // no stdin: the command sees EOF, as with `ssh host cmd </dev/null`
    ch.pipe(stdout, { end: false });
    ch.stderr.pipe(stderr, { end: false });
    return await new Promise<number>((resolve) => {
      let exitCode = 255;
      ch.on("exit", (code: number | null) => (exitCode = code ?? 255));
      ch.on("close", () => resolve(exitCode));
    });
  } finally {
    client.end();
  }
}

/** The output lines of a remote command as they arrive; ends when the command (or the connection) ends. */
export async function* sshLines(target: SshTarget, command: string, signal?: AbortSignal): AsyncGenerator<string> {
  const client = await connectSsh(target);
  const queue: string[] = [];
  let done = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const onAbort = () => {
    done = true;
    client.end();
    notify();
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  client.once("close", () => {
    done = true;
    notify();
  });
  try {
    const ch = await execChannel(client, command);
    let partial = "";
    ch.on("data", (d: Buffer) => {
      const parts = (partial + d.toString("utf8")).split("\n");
      partial = parts.pop()!;
      queue.push(...parts);
      notify();
    });
    ch.on("close", () => {
      if (partial) queue.push(partial);
      partial = "";
      done = true;
      notify();
    });
    for (;;) {
      while (queue.length) yield queue.shift()!;
      if (done) break;
      await new Promise<void>((resolve) => (wake = resolve));
    }
    while (queue.length) yield queue.shift()!;
  } finally {
    signal?.removeEventListener("abort", onAbort);
    client.end();
  }
}

export interface ShellOptions {
  command?: string;
  term?: string;
  rows: number;
  cols: number;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  errorOutput: NodeJS.WritableStream;
  /** Subscribes to window size changes; returns the unsubscribe. */
  onResize?: (resize: (rows: number, cols: number) => void) => () => void;
}

/** An interactive session with a pty (a login shell, or `command` in a pty); resolves to the exit code. */
export async function sshInteractive(target: SshTarget, o: ShellOptions): Promise<number> {
  const client = await connectSsh(target);
  try {
    const pty: PseudoTtyOptions = { term: o.term ?? "xterm-256color", rows: o.rows, cols: o.cols };
    const ch: ClientChannel = o.command
      ? await execChannel(client, o.command, pty)
      : await new Promise((resolve, reject) => client.shell(pty, (e, c) => (e ? reject(e) : resolve(c))));
    const unsubscribe = o.onResize?.((rows, cols) => ch.setWindow(rows, cols, 0, 0));
    o.input.pipe(ch);
    ch.pipe(o.output, { end: false });
    ch.stderr.pipe(o.errorOutput, { end: false });
    return await new Promise<number>((resolve) => {
      let code = 255;
      ch.on("exit", (c: number | null) => (code = c ?? 255));
      ch.on("close", () => {
        unsubscribe?.();
        o.input.unpipe(ch);
        resolve(code);
      });
    });
  } finally {
    client.end();
  }
}
