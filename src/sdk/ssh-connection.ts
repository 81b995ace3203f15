// What the SDK does over SSH to one node, on the shared ssh2 session (ssh/ssh-session.ts): run a
// command and collect its output, stream a command's output line by line, or open an
// interactive shell.
import type { ClientChannel, PseudoTtyOptions } from "ssh2";
import { FlowError } from "../fcp-api/errors";
import { SshSession } from "../ssh/ssh-session";

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

/** One connection; the host key is accepted as the node presents it (the SDK pins none). */
export async function connectSsh(target: SshTarget, readyTimeoutMs = 20_000): Promise<SshSession> {
  try {
    return await SshSession.connect({ ...target, label: `${target.username}@${target.host}:${target.port}` }, {}, readyTimeoutMs);
  } catch (e) {
    throw new SshConnectError(`Cannot connect over SSH to ${target.username}@${target.host}:${target.port}: ${(e as Error).message}.`, {
      cause: e,
      suggestions: ["Check that the task is running (`flow status`) and that its key is in ~/.flow/keys/."],
    });
  }
}

/**
 * Runs `command`, collecting stdout and stderr; the exit code is the remote one (255 for a
 * signal). With `timeoutMs` the connection is dropped after that long and the call rejects.
 */
export async function sshExec(target: SshTarget, command: string, timeoutMs?: number): Promise<ExecResult> {
  const session = await connectSsh(target, timeoutMs);
  let timer: NodeJS.Timeout | undefined;
  try {
    const timedOut = new Promise<never>((_resolve, reject) => {
      if (timeoutMs === undefined) return;
      timer = setTimeout(() => {
        reject(new SshConnectError(`${command.split(" ")[0]} on ${target.host}:${target.port} did not finish within ${timeoutMs} ms.`));
        session.close();
      }, timeoutMs);
    });
    const r = await Promise.race([session.exec(command), timedOut]);
    // A command ended by a signal has no exit code: 255, as OpenSSH's client reports it.
    return { exitCode: r.code < 0 ? 255 : r.code, stdout: r.stdout, stderr: r.stderr };
  } finally {
    clearTimeout(timer);
    session.close();
  }
}

/** Runs `command` with its output streamed to `stdout`/`stderr` as it arrives; resolves to the remote exit code. */
export async function sshExecPiped(target: SshTarget, command: string, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Promise<number> {
  const session = await connectSsh(target);
  try {
    const ch = await session.channel(command);
    ch.end(); // no stdin: the command sees EOF, as with `ssh host cmd </dev/null`
    ch.pipe(stdout, { end: false });
    ch.stderr.pipe(stderr, { end: false });
    return await new Promise<number>((resolve) => {
      let exitCode = 255;
      ch.on("exit", (code: number | null) => (exitCode = code ?? 255));
      ch.on("close", () => resolve(exitCode));
    });
  } finally {
    session.close();
  }
}

/** The output lines of a remote command as they arrive; ends when the command (or the connection) ends. */
export async function* sshLines(target: SshTarget, command: string, signal?: AbortSignal): AsyncGenerator<string> {
  const session = await connectSsh(target);
  const queue: string[] = [];
  let done = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const onAbort = () => {
    done = true;
    session.close();
    notify();
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  session.onClose(() => {
    done = true;
    notify();
  });
  try {
    const ch = await session.channel(command);
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
    session.close();
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
  const session = await connectSsh(target);
  try {
    const pty: PseudoTtyOptions = { term: o.term ?? "xterm-256color", rows: o.rows, cols: o.cols };
    const ch: ClientChannel = o.command ? await session.channel(o.command, pty) : await session.shell(pty);
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
    session.close();
  }
}
