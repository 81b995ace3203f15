// Runs a generated startup script for real, as root, in the emulator's sandbox root (private
// mount and pid namespaces over the host's read-only /usr and /etc, see sandbox-root.ts), with
// recording stubs on PATH for everything that would touch hardware or the host (docker,
// nvidia-smi, mkfs, mount, blkid, shutdown, systemd-run, sleep).
import { spawn, spawnSync } from "node:child_process";
import { promises as fs, readFileSync, existsSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { makeBaseRoot, sandboxCommand, sandboxUnavailableReason } from "../../../src/emulator/instances/sandbox-root";

export const STUB_NAMES = [
  "docker", "nvidia-smi", "mkfs", "mkfs.ext4", "mount", "umount", "mountpoint", "blkid", "shutdown", "systemd-run", "sleep",
] as const;
export type StubName = (typeof STUB_NAMES)[number];

export interface StubCall {
  name: StubName;
  args: string[];
}

export interface SandboxOptions {
  /** Files to create in the sandbox root before the run (absolute sandbox paths). */
  files?: Record<string, string | Buffer>;
  /** Symlinks to create: sandbox path -> target. */
  symlinks?: Record<string, string>;
  /** Exit codes of successive calls of a stub; the last one repeats. Default: always 0. */
  exitCodes?: Partial<Record<StubName, number[]>>;
  /** Devices on which blkid finds a filesystem: device path -> [type, uuid]. */
  filesystems?: Record<string, [type: string, uuid: string]>;
  /** Paths `mountpoint` reports as mounted before the script runs. */
  mounted?: string[];
  /** Named pipes to create (sandbox paths), for a task and a stub to meet without sleeping. */
  fifos?: string[];
  /** Initial content of the sandbox's /etc/fstab. */
  fstab?: string;
  /** Kill the sandbox after this long. */
  timeoutMs?: number;
}

export interface SandboxResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Host path of the sandbox root, to inspect what the script left. */
  root: string;
  calls: StubCall[];
  callsOf(name: StubName): string[][];
  /** Reads a file by its sandbox path. */
  read(p: string): Buffer;
  readText(p: string): string;
  exists(p: string): boolean;
}

const STATE = "/stubs-state";

// Each stub records its argv (unit separator between args, record separator after) and takes
// its exit code from rc/<name>, one code per call.
const PRELUDE = `#!/bin/bash
n=\${0##*/}
{ printf '%s' "$n"; for a in "$@"; do printf '\\037%s' "$a"; done; printf '\\036'; } >>${STATE}/calls
k=0; [ -f ${STATE}/count/$n ] && k=$(<${STATE}/count/$n); echo $((k+1)) >${STATE}/count/$n
rc=0; if [ -f ${STATE}/rc/$n ]; then read -r -a codes <${STATE}/rc/$n; i=$k; [ "$i" -lt "\${#codes[@]}" ] || i=$((\${#codes[@]}-1)); rc=\${codes[$i]}; fi
key(){ printf '%s' "$1" | tr '/' '_'; }
`;

const STUBS: Record<StubName, string> = {
  "sleep": "exit 0\n",
  "nvidia-smi": 'echo "GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-00000000-sandbox)"; exit "$rc"\n',
  "shutdown": 'exit "$rc"\n',
  "systemd-run": 'exit "$rc"\n',
  "umount": 'exit "$rc"\n',
  "mkfs": `[ "$rc" = 0 ] || exit "$rc"; d=\${*: -1}; printf 'ext4 mkfs-%s\\n' "$(key "$d")" >${STATE}/fs/$(key "$d")\n`,
  "mkfs.ext4": `[ "$rc" = 0 ] || exit "$rc"; d=\${*: -1}; printf 'ext4 mkfs-%s\\n' "$(key "$d")" >${STATE}/fs/$(key "$d")\n`,
  "blkid": [
    'd=${*: -1}; f=' + STATE + '/fs/$(key "$d")',
    '[ "$rc" = 0 ] || exit "$rc"',
    '[ -f "$f" ] || exit 2',
    'read -r t u <"$f"',
    'if [ "$1" = -s ]; then echo "$u"; else echo "$d: UUID=\\"$u\\" TYPE=\\"$t\\" USAGE=\\"filesystem\\""; fi',
    "",
  ].join("\n"),
  "mount": `[ "$rc" = 0 ] || { echo "mount: stub failure $rc" >&2; exit "$rc"; }; t=\${*: -1}; mkdir -p "$t"; : >${STATE}/mounted/$(key "$t")\n`,
  "mountpoint": `[ -f ${STATE}/mounted/$(key "\${*: -1}") ]\n`,
  // docker run runs the command itself, in the sandbox, with only the env docker would give it.
  "docker": [
    'case $1 in',
    'pull) exit "$rc";;',
    'run) shift; [ "$rc" = 0 ] || exit "$rc"',
    'envs=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root); wd=/',
    'while [ $# -gt 0 ]; do case $1 in',
    '-e) if [[ $2 == *=* ]]; then envs+=("$2"); elif [ -n "${!2+x}" ]; then envs+=("$2=${!2}"); fi; shift 2;;',
    '-w) wd=$2; shift 2;;',
    '-v) [ "${2%%:*}" = "${2#*:}" ] || { echo "sandbox docker supports identity binds only: $2" >&2; exit 125; }; shift 2;;',
    '--name|--gpus|--network|--ipc) shift 2;;',
    '-*) echo "sandbox docker: unknown option $1" >&2; exit 125;;',
    '*) break;;',
    'esac; done',
    'shift; mkdir -p "$wd"; cd "$wd" || exit 125',
    '[ $# -gt 0 ] || set -- true',
    'exec /usr/bin/env -i "${envs[@]}" "$@";;',
    '*) exit "$rc";;',
    'esac',
    "",
  ].join("\n"),
};

function parseCalls(raw: Buffer): StubCall[] {
  return raw
    .toString("utf8")
    .split("\x1e")
    .filter((r) => r.length > 0)
    .map((record) => {
      const [name, ...args] = record.split("\x1f");
      return { name: name as StubName, args };
    });
}

/** A task that records what it was given: its environment, working directory and arguments. */
export const PROBE = "/opt/probe";
const PROBE_SCRIPT = `#!/bin/bash
cat /proc/$$/environ >/var/lib/flow/probe.env
pwd -P >/var/lib/flow/probe.cwd
printf '%s\\0' "$@" >/var/lib/flow/probe.args
echo "probe ran with $# arguments"
exit "\${PROBE_EXIT_CODE:-0}"
`;

export interface ProbeRecord {
  env: Map<string, string>;
  cwd: string;
  args: string[];
}

/** What the probe recorded, or undefined when it never ran. */
export function readProbe(result: SandboxResult): ProbeRecord | undefined {
  if (!result.exists("/var/lib/flow/probe.env")) return undefined;
  const env = new Map<string, string>();
  for (const entry of result.readText("/var/lib/flow/probe.env").split("\0")) {
    if (entry === "") continue;
    const eq = entry.indexOf("=");
    env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  const args = result.readText("/var/lib/flow/probe.args").split("\0").slice(0, -1);
  return { env, cwd: result.readText("/var/lib/flow/probe.cwd").trim(), args };
}

export { sandboxUnavailableReason };

export async function makeSandboxRoot(options: SandboxOptions = {}): Promise<string> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), "flow-sandbox-"));
  await makeBaseRoot(root, options.fstab);
  await fs.writeFile(path.join(root, PROBE), PROBE_SCRIPT, { mode: 0o755 });
  for (const d of ["rc", "count", "fs", "mounted"]) await fs.mkdir(path.join(root, STATE, d), { recursive: true });
  await fs.writeFile(path.join(root, STATE, "calls"), "");
  for (const name of STUB_NAMES) {
    await fs.writeFile(path.join(root, "stubs", name), PRELUDE + STUBS[name], { mode: 0o755 });
  }
  for (const [name, codes] of Object.entries(options.exitCodes ?? {})) {
    await fs.writeFile(path.join(root, STATE, "rc", name), `${(codes ?? []).join(" ")}\n`);
  }
  const key = (p: string): string => p.replace(/\//g, "_");
  for (const [dev, [type, uuid]] of Object.entries(options.filesystems ?? {})) {
    await fs.writeFile(path.join(root, STATE, "fs", key(dev)), `${type} ${uuid}\n`);
  }
  for (const p of options.mounted ?? []) await fs.writeFile(path.join(root, STATE, "mounted", key(p)), "");
  for (const [p, content] of Object.entries(options.files ?? {})) {
    await fs.mkdir(path.dirname(path.join(root, p)), { recursive: true });
    await fs.writeFile(path.join(root, p), content, { mode: 0o755 });
  }
  for (const p of options.fifos ?? []) {
    const made = spawnSync("mkfifo", [path.join(root, p)], { encoding: "utf8" });
    if (made.status !== 0) throw new Error(`mkfifo ${p} failed: ${made.stderr}`);
  }
  for (const [p, target] of Object.entries(options.symlinks ?? {})) {
    await fs.mkdir(path.dirname(path.join(root, p)), { recursive: true });
    await fs.symlink(target, path.join(root, p));
  }
  return root;
}

/** Runs `script` as the sandbox's first-boot script and collects what it did. */
export async function runInSandbox(script: string, options: SandboxOptions = {}): Promise<SandboxResult> {
  const reason = sandboxUnavailableReason();
  if (reason) throw new Error(`Cannot build the startup-script sandbox: ${reason}`);
  const root = await makeSandboxRoot(options);
  await fs.writeFile(path.join(root, "startup.sh"), script, { mode: 0o755 });
  const timeoutMs = options.timeoutMs ?? 30_000;

  const { exitCode, signal, stdout, stderr } = await new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve, reject) => {
      const child = spawn(
        "unshare",
        sandboxCommand(root, ["/startup.sh"]),
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on("data", (c: Buffer) => out.push(c));
      child.stderr.on("data", (c: Buffer) => err.push(c));
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      child.on("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.on("close", (code, sig) => {
        clearTimeout(timer);
        resolve({ exitCode: code, signal: sig, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") });
      });
    },
  );

  const calls = parseCalls(readFileSync(path.join(root, STATE, "calls")));
  // /etc is the host's, read-only; the sandbox's fstab is a file bound over it.
  const hostPath = (p: string): string => path.join(root, p === "/etc/fstab" ? "/.fstab" : p);
  return {
    exitCode,
    signal,
    stdout,
    stderr,
    root,
    calls,
    callsOf: (name) => calls.filter((c) => c.name === name).map((c) => c.args),
    read: (p) => readFileSync(hostPath(p)),
    readText: (p) => readFileSync(hostPath(p), "utf8"),
    exists: (p) => existsSync(hostPath(p)),
  };
}

/** Removes a sandbox root. Safe: the namespace (and its binds of /usr and /etc) died with the run. */
export async function removeSandbox(root: string): Promise<void> {
  if (!path.basename(root).startsWith("flow-sandbox-")) throw new Error(`refusing to remove ${root}`);
  await fs.rm(root, { recursive: true, force: true });
}
