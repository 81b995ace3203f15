// Instances as sandboxes on this machine: `unshare` (mount + pid namespaces), the host's /usr and
// /etc read-only, the instance's own /tmp, /workspace, /var/log, /var/lib/flow, /mnt, /home/ubuntu
// and /root on its disk directory, stubs first on PATH. PID 1 runs the startup script once and
// then stays up; sessions enter its namespaces with `nsenter`. Killing `unshare` kills PID 1, and
// with it every process of the instance (the kernel empties a pid namespace whose init dies).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, watch, type FSWatcher } from "node:fs";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import type { BootSpec, BootedInstance, InstanceRuntime, SpawnOptions, StartupOutcome } from "./runtime";
import { makeBaseRoot, SANDBOX_PATH, sandboxCommand } from "./sandbox-root";
import { INSTANCE_META_DIR, instanceStubs, VOLUMES_DIR } from "./stubs";
import { shellQuote } from "../../startup/shell-quote";

export const STARTUP_LOG = "/var/log/foundry/startup_script.log";
const STARTUP_SCRIPT = `${INSTANCE_META_DIR}/startup_script.sh`;
const STARTUP_EXIT = `${INSTANCE_META_DIR}/startup.exit`;
const READY = "fcp-instance-ready";
// Where pty sessions record their terminal (/dev/pts/N of the sandbox's own devpts).
const PTY_DIR = `${INSTANCE_META_DIR}/pty`;
const LOG_TAIL_BYTES = 4096;

// PID 1 inside the sandbox: the startup script on first boot, as root, its output in the
// foundry log; then wait forever (bash reaps orphans meanwhile).
const INIT = `#!/bin/bash
if [ "\${1:-}" = first-boot ]; then
  /bin/bash ${STARTUP_SCRIPT} >>${STARTUP_LOG} 2>&1 </dev/null &
  wait $!; echo $? >${STARTUP_EXIT}.tmp; mv -f ${STARTUP_EXIT}.tmp ${STARTUP_EXIT}
fi
while :; do sleep infinity & wait $!; done
`;

function hostPath(root: string, instancePath: string): string {
  const normal = path.posix.normalize(`/${instancePath}`);
  return path.join(root, normal);
}

async function waitForChild(parentPid: number, deadlineMs: number): Promise<number> {
  const file = `/proc/${parentPid}/task/${parentPid}/children`;
  const until = Date.now() + deadlineMs;
  for (;;) {
    const text = await fs.readFile(file, "utf8").catch(() => "");
    const pid = Number(text.trim().split(/\s+/)[0]);
    if (Number.isInteger(pid) && pid > 0) return pid;
    if (Date.now() > until) throw new Error(`the sandbox of pid ${parentPid} has no first process after ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** How many processes are in the pid namespace `namespace` (a `pid:[inode]` link). */
async function namespaceMembers(namespace: string): Promise<number> {
  const pids = (await fs.readdir("/proc")).filter((p) => /^\d+$/.test(p));
  const links = await Promise.all(pids.map((p) => fs.readlink(`/proc/${p}/ns/pid`).catch(() => undefined)));
  return links.filter((l) => l === namespace).length;
}

class SandboxInstance implements BootedInstance {
  private exitListeners: Array<(reason: string) => void> = [];
  private powerOffListeners: Array<(seconds: number) => void> = [];
  private exited = false;
  private watcher?: FSWatcher;
  private readonly closed: Promise<void>;

  constructor(
    private readonly unshare: ChildProcess,
    readonly pid: number,
    private readonly root: string,
  ) {
    this.closed = new Promise((resolve) => {
      if (unshare.exitCode !== null || unshare.signalCode !== null) resolve();
      else unshare.once("exit", () => resolve());
    });
    unshare.once("exit", (code, signal) => {
      this.exited = true;
      this.watcher?.close();
      const reason = signal ? `its first process was killed by ${signal}` : `its first process exited with ${code}`;
      for (const l of this.exitListeners) l(reason);
    });
    const meta = hostPath(root, INSTANCE_META_DIR);
    this.watcher = watch(meta, (_event, name) => {
      if (name === "poweroff") void this.checkPowerOff();
    });
    this.watcher.on("error", () => undefined);
    void this.checkPowerOff();
  }

  private async checkPowerOff(): Promise<void> {
    const file = hostPath(this.root, `${INSTANCE_META_DIR}/poweroff`);
    const text = await fs.readFile(file, "utf8").catch(() => undefined);
    if (text === undefined) return;
    await fs.rm(file, { force: true });
    const seconds = Number(text.trim());
    if (!Number.isFinite(seconds) || seconds < 0) return;
    for (const l of this.powerOffListeners) l(seconds);
  }

  spawn(command: string | undefined, options: SpawnOptions): ChildProcess {
    const home = options.user === "root" ? "/root" : "/home/ubuntu";
    const env: Record<string, string> = {
      PATH: SANDBOX_PATH,
      HOME: home,
      USER: options.user,
      LOGNAME: options.user,
      SHELL: "/bin/bash",
      LANG: "C.UTF-8",
      ...(options.pty ? { TERM: options.pty.term || "xterm" } : {}),
      ...options.env,
    };
    const envArgs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
    let inner: string[];
    if (options.pty) {
      // `script` gives the shell a real terminal; stty sets the size the client asked for. The
      // terminal's name goes to a file so a later window-change can resize that terminal.
      const run = command === undefined ? "exec /bin/bash -il" : `exec /bin/bash -c ${shellQuote(command)}`;
      const ptyFile = `${PTY_DIR}/${options.pty.session}`;
      const sized = `stty rows ${options.pty.rows | 0} cols ${options.pty.cols | 0} 2>/dev/null; mkdir -p ${PTY_DIR}; tty >${ptyFile}.tmp && mv -f ${ptyFile}.tmp ${ptyFile}; ${run}`;
      inner = ["/usr/bin/script", "-qfec", `/bin/bash -c ${shellQuote(sized)}`, "/dev/null"];
    } else {
      inner = command === undefined ? ["/bin/bash", "-l"] : ["/bin/bash", "-c", command];
    }
    return spawn(
      "nsenter",
      // -r -w: the instance's root and cwd; the session then starts in its home, as sshd does.
      ["-t", String(this.pid), "-m", "-p", "-r", "-w", "--", "/usr/bin/env", "-i", ...envArgs, "/bin/bash", "-c", 'cd "$HOME" 2>/dev/null || cd /; exec "$@"', "fcp-session", ...inner],
      { stdio: ["pipe", "pipe", "pipe"] },
    );
  }

  async resizePty(session: string, size: { cols: number; rows: number }, deadlineMs = 10_000): Promise<boolean> {
    // The session writes its terminal's name once its shell starts; a resize can come first.
    const file = hostPath(this.root, `${PTY_DIR}/${session}`);
    const until = Date.now() + deadlineMs;
    let tty: string | undefined;
    while (!tty) {
      tty = (await fs.readFile(file, "utf8").catch(() => "")).trim() || undefined;
      if (tty) break;
      if (this.exited || Date.now() > until) return false;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    if (!/^\/dev\/pts\/\d+$/.test(tty)) return false;
    // Setting the size on the terminal makes the kernel send SIGWINCH to its foreground job.
    const stty = spawn("nsenter", ["-t", String(this.pid), "-m", "-p", "-r", "--", "/usr/bin/stty", "-F", tty, "rows", String(size.rows | 0), "cols", String(size.cols | 0)], { stdio: "ignore" });
    return new Promise((resolve) => {
      stty.once("error", () => resolve(false));
      stty.once("exit", (code) => resolve(code === 0));
    });
  }

  async forgetPty(session: string): Promise<void> {
    await fs.rm(hostPath(this.root, `${PTY_DIR}/${session}`), { force: true });
  }

  async readFile(instancePath: string): Promise<Buffer | undefined> {
    return fs.readFile(hostPath(this.root, instancePath)).catch(() => undefined);
  }

  async startup(): Promise<StartupOutcome> {
    const exit = await this.readFile(STARTUP_EXIT);
    const code = exit === undefined ? NaN : Number(exit.toString("utf8").trim());
    let logTail = "";
    const handle = await fs.open(hostPath(this.root, STARTUP_LOG), "r").catch(() => undefined);
    if (handle) {
      try {
        const { size } = await handle.stat();
        const start = Math.max(0, size - LOG_TAIL_BYTES);
        const buf = Buffer.alloc(size - start);
        await handle.read(buf, 0, buf.length, start);
        logTail = buf.toString("utf8");
        if (start > 0) logTail = logTail.slice(logTail.indexOf("\n") + 1);
      } finally {
        await handle.close();
      }
    }
    return { exitCode: Number.isInteger(code) ? code : null, logTail };
  }

  onPowerOffRequest(listener: (seconds: number) => void): void {
    this.powerOffListeners.push(listener);
  }

  onExit(listener: (reason: string) => void): void {
    this.exitListeners.push(listener);
  }

  async stop(): Promise<void> {
    this.watcher?.close();
    const namespace = await fs.readlink(`/proc/${this.pid}/ns/pid`).catch(() => undefined);
    if (!this.exited) this.unshare.kill("SIGKILL");
    await this.closed;
    // The kernel kills the rest of the pid namespace once its init is gone, and sessions entered
    // with nsenter are our children until we reap them: wait (bounded) until no member is left.
    const until = Date.now() + 10_000;
    while (Date.now() < until && (existsSync(`/proc/${this.pid}`) || (namespace !== undefined && (await namespaceMembers(namespace)) > 0))) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

export class SandboxRuntime implements InstanceRuntime {
  readonly name = "sandbox";

  async boot(spec: BootSpec): Promise<BootedInstance> {
    const root = path.join(spec.dir, "root");
    await makeBaseRoot(root);
    const meta = hostPath(root, INSTANCE_META_DIR);
    await fs.mkdir(meta, { recursive: true, mode: 0o700 });
    for (const [name, content] of Object.entries(instanceStubs(spec.gpu))) {
      await fs.writeFile(path.join(root, "stubs", name), content, { mode: 0o755 });
    }
    const keys = `${spec.authorizedKeys.join("\n")}\n`;
    for (const home of ["root", "home/ubuntu"]) {
      await fs.mkdir(path.join(root, home, ".ssh"), { recursive: true, mode: 0o700 });
      await fs.writeFile(path.join(root, home, ".ssh", "authorized_keys"), keys, { mode: 0o600 });
    }
    await fs.writeFile(path.join(meta, "init"), INIT, { mode: 0o755 });
    const binds: string[] = [];
    await fs.rm(path.join(root, "dev", "disk", "by-id"), { recursive: true, force: true });
    await fs.mkdir(path.join(root, "dev", "disk", "by-id"), { recursive: true });
    for (const v of spec.volumes) {
      await fs.mkdir(path.join(v.hostDir, "data"), { recursive: true });
      binds.push(`${v.hostDir}\t${VOLUMES_DIR}/${v.fid}`);
      if (v.interface === "block") {
        const device = `/dev/fcp-vol-${v.fid}`;
        await fs.writeFile(path.join(root, device), "", { flag: "a" });
        await fs.symlink(device, path.join(root, "dev", "disk", "by-id", `virtio-${v.fid.slice(0, 20)}`));
      }
    }
    let firstBoot = false;
    const marker = path.join(meta, "first-boot");
    if (spec.firstBoot && !existsSync(marker)) {
      // Marked before the script starts: a crash mid-boot must not run it a second time.
      await fs.writeFile(path.join(root, STARTUP_SCRIPT), spec.startupScript, { mode: 0o700 });
      await fs.writeFile(marker, `${new Date().toISOString()}\n`);
      firstBoot = true;
    }

    // setpriv ties the sandbox to this process: if the emulator dies, so do its instances.
    const child = spawn("setpriv", ["--pdeathsig", "KILL", "--", "unshare", ...sandboxCommand(root, [`${INSTANCE_META_DIR}/init`, ...(firstBoot ? ["first-boot"] : [])])], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin", FLOW_SANDBOX_BINDS: binds.join("\n"), FLOW_SANDBOX_READY: READY },
    });
    const stderr: Buffer[] = [];
    child.stderr?.on("data", (c: Buffer) => stderr.push(c));
    await new Promise<void>((resolve, reject) => {
      let out = "";
      const onData = (c: Buffer) => {
        out += c.toString("utf8");
        if (out.includes(READY)) {
          child.stdout?.off("data", onData);
          child.stdout?.resume();
          child.off("exit", onExit);
          resolve();
        }
      };
      const onExit = (code: number | null) =>
        reject(new Error(`the sandbox of ${spec.instanceFid} did not start (exit ${code}): ${Buffer.concat(stderr).toString("utf8").trim()}`));
      child.stdout?.on("data", onData);
      child.once("exit", onExit);
      child.once("error", reject);
    });
    const pid = await waitForChild(child.pid ?? 0, 10_000);
    return new SandboxInstance(child, pid, root);
  }
}
