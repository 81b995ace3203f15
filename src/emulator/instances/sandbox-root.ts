// A throwaway root filesystem over the host's read-only /usr and /etc, entered with `unshare`
// (private mount + pid namespaces) and `chroot`. Shared by the emulated instances and by the
// startup-script tests, which add their own recording stubs. A chroot rather than binds over the
// host's own /workspace keeps the host untouched: it has no /workspace, and must not get one.
import { spawnSync } from "node:child_process";
import { promises as fs } from "node:fs";
import * as path from "node:path";

/** Directories every sandbox root has; the private ones are the sandbox's own, not the host's. */
export const SANDBOX_DIRS = [
  "usr", "etc", "proc", "dev", "dev/disk/by-id", "dev/pts", "dev/shm", "tmp", "var/tmp", "run",
  "workspace", "mnt", "var/log/flow", "var/log/foundry", "var/lib/flow", "home/ubuntu", "root", "stubs", "opt",
] as const;

const LINKS: ReadonlyArray<[link: string, target: string]> = [
  ["bin", "usr/bin"], ["sbin", "usr/sbin"], ["lib", "usr/lib"], ["lib64", "usr/lib64"], ["dev/fd", "/proc/self/fd"],
  ["dev/ptmx", "pts/ptmx"],
];

const DEVICES = ["null", "zero", "random", "urandom", "tty"] as const;

/** The PATH inside a sandbox: stubs first, for what the machine lacks (GPUs, disks, systemd). */
export const SANDBOX_PATH = "/stubs:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/**
 * Runs on the host inside the new namespaces with the root as $1, mounts what the sandbox sees,
 * then runs "$2..." (the sandbox's first process) chrooted. /etc/fstab is a file of the sandbox's
 * own bound over the read-only /etc, so scripts can append to it. Extra binds come as
 * `FLOW_SANDBOX_BINDS` lines "hostdir<TAB>sandboxdir".
 */
export const SANDBOX_SETUP = `set -euo pipefail
R=$1; shift
mount --bind /usr "$R/usr"; mount -o remount,bind,ro "$R/usr"
mount --bind /etc "$R/etc"; mount -o remount,bind,ro "$R/etc"
mount --bind "$R/.fstab" "$R/etc/fstab"
mount -t proc proc "$R/proc"
for d in null zero random urandom tty; do mount --bind "/dev/$d" "$R/dev/$d"; done
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$R/dev/pts" 2>/dev/null || true
mount -t tmpfs -o mode=1777 tmpfs "$R/dev/shm" 2>/dev/null || true
while IFS=$'\\t' read -r src dst; do [ -n "$src" ] || continue; mkdir -p "$R$dst"; mount --bind "$src" "$R$dst"; done <<<"\${FLOW_SANDBOX_BINDS:-}"
unset FLOW_SANDBOX_BINDS
[ -z "\${FLOW_SANDBOX_READY:-}" ] || echo "$FLOW_SANDBOX_READY"
exec chroot "$R" /usr/bin/env -i PATH=${SANDBOX_PATH} HOME=/root LANG=C.UTF-8 "$@"
`;

/** `unshare` arguments that run SANDBOX_SETUP for `root`, then `command` inside it. */
export function sandboxCommand(root: string, command: readonly string[]): string[] {
  return ["--mount", "--pid", "--fork", "--kill-child", "--propagation", "private", "/bin/bash", "-c", SANDBOX_SETUP, "sandbox", root, ...command];
}

/** Why a sandbox cannot be made here, or undefined when it can. */
export function sandboxUnavailableReason(): string | undefined {
  if (process.platform !== "linux") return `the sandbox needs Linux, this is ${process.platform}`;
  if (typeof process.getuid === "function" && process.getuid() !== 0) return "the sandbox needs root (unshare --mount --pid, chroot)";
  const probe = spawnSync("unshare", ["--mount", "--pid", "--fork", "--propagation", "private", "true"], { encoding: "utf8" });
  if (probe.error) return `unshare could not run: ${probe.error.message}`;
  if (probe.status !== 0) return `unshare --mount --pid failed: ${probe.stderr.trim()}`;
  return undefined;
}

/** Creates the directories, links and device placeholders of a sandbox root (idempotent). */
export async function makeBaseRoot(root: string, fstab = "# sandbox fstab\n"): Promise<void> {
  for (const d of SANDBOX_DIRS) await fs.mkdir(path.join(root, d), { recursive: true });
  for (const d of ["tmp", "var/tmp", "dev/shm"]) await fs.chmod(path.join(root, d), 0o1777);
  for (const [link, target] of LINKS) {
    await fs.symlink(target, path.join(root, link)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== "EEXIST") throw err;
    });
  }
  for (const d of DEVICES) await fs.writeFile(path.join(root, "dev", d), "", { flag: "a" });
  await fs.writeFile(path.join(root, ".fstab"), fstab, { flag: "wx" }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== "EEXIST") throw err;
  });
}
