// One SSH server per emulated instance (ssh2's server), on the instance's own loopback address.
// Public-key auth only, for root and ubuntu, against the bid's keys. Sessions (exec, shell with a
// pty, the SFTP subsystem served by OpenSSH's own sftp-server) run inside the instance; local
// port forwards (ssh -L) reach loopback services, which instances share with the host.
import { createHash, randomBytes } from "node:crypto";
import { connect, createServer, isIP, type Server as NetServer } from "node:net";
import type { AddressInfo } from "node:net";
import { Server, utils, type Connection, type ParsedKey, type PseudoTtyInfo, type ServerChannel } from "ssh2";
import type { BootedInstance } from "./runtime";

export const SSH_USERS = ["ubuntu", "root"] as const;
const SFTP_SERVER = "/usr/lib/openssh/sftp-server";

export interface InstanceSshServerOptions {
  address: string;
  /** OpenSSH private host key. */
  hostKey: string;
  /** OpenSSH public keys allowed in, read at each attempt (keys are the bid's). */
  authorizedKeys: () => readonly string[];
  /** The booted instance, or undefined while it boots: connections are then refused. */
  instance: () => BootedInstance | undefined;
  /** Fault injection: when true, a connection is closed before the SSH handshake (and counted). */
  refuse?: () => boolean;
}

/** `SHA256:...` as `ssh-keygen -lf` prints it. */
export function fingerprintOf(publicOrPrivateKey: string): string {
  const parsed = firstKey(utils.parseKey(publicOrPrivateKey));
  if (!parsed) throw new Error("not an SSH key");
  return `SHA256:${createHash("sha256").update(parsed.getPublicSSH()).digest("base64").replace(/=+$/, "")}`;
}

function firstKey(parsed: ParsedKey | ParsedKey[] | Error): ParsedKey | undefined {
  if (parsed instanceof Error) return undefined;
  return Array.isArray(parsed) ? parsed[0] : parsed;
}

function isLoopback(host: string): boolean {
  return host === "localhost" || (isIP(host) === 4 && host.startsWith("127.")) || host === "::1";
}

export class InstanceSshServer {
  private readonly server: Server;
  // Our own listener hands sockets to ssh2, so a refused connection can be closed (and counted)
  // before the handshake.
  private readonly listener: NetServer;
  private readonly clients = new Set<Connection>();
  readonly fingerprint: string;
  /** Connections closed by the `refuse` fault. */
  refusedConnections = 0;

  constructor(private readonly options: InstanceSshServerOptions) {
    this.fingerprint = fingerprintOf(options.hostKey);
    this.server = new Server({ hostKeys: [options.hostKey] }, (client) => this.accept(client));
    this.listener = createServer((socket) => {
      if (this.options.refuse?.()) {
        this.refusedConnections++;
        socket.destroy();
        return;
      }
      this.server.injectSocket(socket);
    });
  }

  /** Binds port 0 on the instance's address; resolves with "address:port". */
  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.listener.once("error", reject);
      this.listener.listen(0, this.options.address, () => {
        this.listener.off("error", reject);
        resolve();
      });
    });
    const { port } = this.listener.address() as AddressInfo;
    return `${this.options.address}:${port}`;
  }

  /** Stops listening and drops every connection. */
  async close(): Promise<void> {
    for (const c of this.clients) c.end();
    await new Promise<void>((resolve) => this.listener.close(() => resolve()));
  }

  private accept(client: Connection): void {
    this.clients.add(client);
    client.on("close", () => this.clients.delete(client));
    client.on("error", () => undefined);
    let user: "root" | "ubuntu" = "ubuntu";

    client.on("authentication", (ctx) => {
      if (ctx.method !== "publickey" || !(SSH_USERS as readonly string[]).includes(ctx.username) || !this.options.instance()) {
        return ctx.reject(["publickey"]);
      }
      const offered = ctx.key.data;
      const match = this.options
        .authorizedKeys()
        .map((k) => firstKey(utils.parseKey(k)))
        .find((k) => k !== undefined && k.getPublicSSH().equals(offered));
      if (!match) return ctx.reject(["publickey"]);
      // Without a signature the client only asks whether the key would do.
      if (ctx.signature && ctx.blob && match.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true) return ctx.reject(["publickey"]);
      user = ctx.username as "root" | "ubuntu";
      ctx.accept();
    });

    client.on("ready", () => {
      client.on("session", (acceptSession) => {
        const session = acceptSession();
        let pty: PseudoTtyInfo | undefined;
        // One name per session, so a window-change resizes this session's terminal only.
        const ptySession = randomBytes(8).toString("hex");
        session.on("pty", (accept, _reject, info) => {
          pty = info;
          accept?.();
        });
        session.on("window-change", (accept, _reject, info) => {
          accept?.();
          if (pty) void this.options.instance()?.resizePty(ptySession, { cols: info.cols, rows: info.rows });
        });
        session.on("env", (accept) => accept?.());
        session.on("signal", (accept) => accept?.());
        session.on("exec", (accept, _reject, info) => this.run(accept(), info.command, user, pty, ptySession));
        session.on("shell", (accept) => this.run(accept(), undefined, user, pty, ptySession));
        session.on("subsystem", (accept, reject, info) => {
          if (info.name !== "sftp") return reject();
          this.run(accept(), `exec ${SFTP_SERVER}`, user, undefined, ptySession);
        });
      });
      client.on("tcpip", (accept, reject, info) => {
        if (!isLoopback(info.destIP)) return reject();
        const host = info.destIP === "localhost" ? "127.0.0.1" : info.destIP;
        const socket = connect(info.destPort, host);
        socket.once("error", () => reject());
        socket.once("connect", () => {
          const channel = accept();
          socket.removeAllListeners("error");
          socket.on("error", () => channel.close());
          channel.on("error", () => socket.destroy());
          socket.pipe(channel).pipe(socket);
        });
      });
      client.on("request", (accept, reject) => reject?.());
    });
  }

  private run(channel: ServerChannel, command: string | undefined, user: "root" | "ubuntu", pty: PseudoTtyInfo | undefined, ptySession: string): void {
    const instance = this.options.instance();
    if (!instance) {
      channel.stderr.write("fcp-emulator: this instance is not running\n");
      channel.exit(255);
      channel.end();
      return;
    }
    const child = instance.spawn(command, {
      user,
      pty: pty ? { term: pty.term, cols: pty.cols, rows: pty.rows, session: ptySession } : undefined,
    });
    channel.pipe(child.stdin!);
    child.stdin!.on("error", () => undefined);
    child.stdout!.pipe(channel, { end: false });
    child.stderr!.pipe(pty ? channel : channel.stderr, { end: false });
    child.on("error", (err) => {
      channel.stderr.write(`fcp-emulator: ${err.message}\n`);
      channel.exit(255);
      channel.end();
    });
    child.on("close", (code, signal) => {
      if (pty) void instance.forgetPty(ptySession);
      if (signal) channel.exit(signal.replace(/^SIG/, ""), false, "");
      else channel.exit(code ?? 0);
      channel.end();
    });
    channel.on("close", () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    });
  }
}
