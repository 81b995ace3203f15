// One SSH connection to one host (ssh2's client): run a command, upload a file by SFTP and check
// its sha256 on the far side. `openSshSession` retries connecting within a deadline and, when it
// gives up, says which host it tried, how often, for how long, and the last thing that went wrong.
// The host key is checked by the caller's `hostKey` rule (trust on first use lives in the provider).
import { createHash } from "node:crypto";
import { Client, type ClientChannel, type ConnectConfig, type PseudoTtyOptions } from "ssh2";
import { FlowError } from "../fcp-api/errors";

export interface SshTarget {
  host: string;
  port: number;
  username: string;
  /** OpenSSH private key. Never logged, never part of an error. */
  privateKey: string;
  /** What the host is to people, e.g. `instance inst_abc (127.0.0.3:4022)`. */
  label: string;
}

export interface HostKeyRule {
  /** The pinned `SHA256:...` fingerprint, or undefined to accept (and report) the first key seen. */
  expected?: string;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RetryOptions {
  /** Give up after this long, in milliseconds. */
  deadlineMs: number;
  /** Pause between attempts, growing to at most 5 s. */
  initialDelayMs?: number;
  /** Called before each retry, for progress lines. */
  onRetry?: (attempt: number, reason: string) => void;
}

/** The host presented a key other than the one pinned for it. Never retried. */
export class HostKeyChangedError extends FlowError {
  constructor(label: string, expected: string, actual: string) {
    super(`The SSH host key of ${label} changed: pinned ${expected}, now ${actual}. Nothing was sent to it.`, {
      errorCode: "SSH_HOST_KEY_CHANGED",
      suggestions: [
        "If the instance was really rebuilt, run `pulumi refresh` after replacing the bid, or replace the ClusterBootstrap resource (pulumi up --replace <urn>).",
        "Otherwise something else answers on that address: do not trust it.",
      ],
    });
  }
}

/** Connecting kept failing until the deadline. */
export class SshUnreachableError extends FlowError {
  constructor(label: string, attempts: number, seconds: number, lastReason: string) {
    super(`Could not open an SSH session to ${label}: ${attempts} attempts in ${seconds} s, the last failed with: ${lastReason}.`, {
      errorCode: "SSH_UNREACHABLE",
      suggestions: [
        "Check that the instance is running (its bid's status) and that the task's SSH key is one of the bid's keys.",
        "Raise the wait (Task `bootstrapTimeoutSeconds`) if instances take longer to boot.",
      ],
    });
  }
}

/** `SHA256:...` of a raw host key blob, as `ssh-keygen -l` prints it. */
export function hostKeyFingerprint(blob: Buffer): string {
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

export class SshSession {
  private constructor(
    private readonly client: Client,
    readonly target: SshTarget,
    /** The fingerprint the host presented. */
    readonly hostKey: string,
  ) {}

  /** One attempt: connects, checks the host key, authenticates. */
  static connect(target: SshTarget, rule: HostKeyRule, readyTimeoutMs = 20_000): Promise<SshSession> {
    return new Promise((resolve, reject) => {
      const client = new Client();
      let seen: string | undefined;
      let changed: HostKeyChangedError | undefined;
      const config: ConnectConfig = {
        host: target.host,
        port: target.port,
        username: target.username,
        privateKey: target.privateKey,
        readyTimeout: readyTimeoutMs,
        hostVerifier: (key: Buffer) => {
          seen = hostKeyFingerprint(key);
          if (rule.expected !== undefined && rule.expected !== seen) {
            changed = new HostKeyChangedError(target.label, rule.expected, seen);
            return false;
          }
          return true;
        },
      };
      client
        .once("ready", () => resolve(new SshSession(client, target, seen ?? "")))
        .once("error", (err: Error) => {
          client.end();
          reject(changed ?? err);
        })
        .connect(config);
    });
  }

  /** A channel running `command` (in a pty when given one), for callers that stream. */
  channel(command: string, pty?: PseudoTtyOptions): Promise<ClientChannel> {
    return new Promise((resolve, reject) => this.client.exec(command, pty ? { pty } : {}, (e, ch) => (e ? reject(e) : resolve(ch))));
  }

  /** An interactive login shell in a pty. */
  shell(pty: PseudoTtyOptions): Promise<ClientChannel> {
    return new Promise((resolve, reject) => this.client.shell(pty, (e, ch) => (e ? reject(e) : resolve(ch))));
  }

  /** Called once when the connection closes (the far side, a network error, or `close()`). */
  onClose(listener: () => void): void {
    this.client.once("close", listener);
  }

  /** Runs `command`; `stdin` is written to it and closed. Never throws for a non-zero exit. */
  exec(command: string, stdin?: string | Buffer): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      this.client.exec(command, (err, channel) => {
        if (err) return reject(new FlowError(`Could not run a command on ${this.target.label}: ${err.message}`));
        const out: Buffer[] = [];
        const errOut: Buffer[] = [];
        let code = -1;
        channel.on("data", (d: Buffer) => out.push(d));
        channel.stderr.on("data", (d: Buffer) => errOut.push(d));
        channel.on("exit", (c: number | null) => (code = c ?? -1));
        channel.on("close", () => resolve({ code, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(errOut).toString("utf8") }));
        channel.end(stdin);
      });
    });
  }

  /** Like `exec`, but a non-zero exit is an error naming the host and `what`. */
  async run(what: string, command: string, stdin?: string | Buffer): Promise<string> {
    const r = await this.exec(command, stdin);
    if (r.code !== 0) throw new FlowError(`${what} failed on ${this.target.label} (exit ${r.code}): ${r.stderr.trim().slice(0, 500) || r.stdout.trim().slice(0, 500)}`);
    return r.stdout;
  }

  /**
   * Uploads `bytes` to `remotePath` by SFTP (mode 0600), then checks with `sha256sum` on the host
   * that exactly these bytes arrived. Throws naming the host and both digests otherwise.
   */
  async putVerified(remotePath: string, bytes: Buffer): Promise<void> {
    const sftp = await new Promise<import("ssh2").SFTPWrapper>((resolve, reject) =>
      this.client.sftp((err, s) => (err ? reject(new FlowError(`SFTP is not available on ${this.target.label}: ${err.message}`)) : resolve(s))),
    );
    try {
      await new Promise<void>((resolve, reject) => {
        const stream = sftp.createWriteStream(remotePath, { mode: 0o600 });
        stream.once("error", (err: Error) => reject(new FlowError(`Uploading ${remotePath} to ${this.target.label} failed: ${err.message}`)));
        stream.once("close", () => resolve());
        stream.end(bytes);
      });
    } finally {
      sftp.end();
    }
    const expected = createHash("sha256").update(bytes).digest("hex");
    const actual = (await this.run(`Checking the sha256 of ${remotePath}`, `sha256sum ${remotePath}`)).split(/\s+/)[0];
    if (actual !== expected) {
      throw new FlowError(`The upload of ${remotePath} to ${this.target.label} arrived damaged: sha256 ${actual}, sent ${expected} (${bytes.length} bytes).`, {
        suggestions: ["Run `pulumi up` again; the upload is repeated from the start."],
      });
    }
  }

  close(): void {
    this.client.end();
  }
}

/**
 * Connects, retrying refused, reset and timed-out attempts until `deadlineMs` passes. A changed
 * host key or a refused key is not retried away: the first is an error at once, the second after
 * the deadline (an instance may still be installing its keys).
 */
export async function openSshSession(target: SshTarget, rule: HostKeyRule, retry: RetryOptions): Promise<SshSession> {
  const started = Date.now();
  let delay = retry.initialDelayMs ?? 250;
  for (let attempt = 1; ; attempt++) {
    const left = retry.deadlineMs - (Date.now() - started);
    try {
      return await SshSession.connect(target, rule, Math.max(1_000, Math.min(20_000, left)));
    } catch (err) {
      if (err instanceof HostKeyChangedError) throw err;
      const reason = describeConnectError(err);
      if (Date.now() - started + delay >= retry.deadlineMs) {
        throw new SshUnreachableError(target.label, attempt, Math.round((Date.now() - started) / 1000), reason);
      }
      retry.onRetry?.(attempt, reason);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(5_000, delay * 2);
    }
  }
}

function describeConnectError(err: unknown): string {
  const e = err as { code?: string; level?: string; message?: string };
  if (e.code === "ECONNREFUSED") return "connection refused";
  if (e.code === "ECONNRESET") return "connection reset";
  if (e.level === "client-authentication") return "the task's SSH key was refused";
  if (e.level === "client-timeout") return "no SSH handshake in time";
  if (/before handshake/i.test(e.message ?? "")) return "connection closed before the SSH handshake (sshd not up yet)";
  return e.message ?? String(err);
}
