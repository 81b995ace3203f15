// Where a volume may be mounted and where a task may run. The startup spec's check and TaskConfig's
// both read these lists, so a config that parses also builds.
import { FLOW_LOG_DIR, FLOW_STATE_DIR } from "./constants";

/** The system's own trees: mounting over them (or running in them) breaks the instance. */
export const SYSTEM_TREES = ["/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/proc", "/run", "/sbin", "/sys", "/usr"] as const;
/** Mounting over these, or anything under them, hides the system, SSH access, or the startup script's own state. */
export const MOUNT_FORBIDDEN_TREES: readonly string[] = [...SYSTEM_TREES, FLOW_STATE_DIR, FLOW_LOG_DIR, "/home/ubuntu/.ssh", "/root/.ssh"];
/** Mounting exactly here hides what lives beneath (home directories, /tmp, /var/lib...). */
export const MOUNT_FORBIDDEN_EXACT: readonly string[] = ["/home", "/home/ubuntu", "/root", "/tmp", "/var", "/var/lib", "/var/log"];
/** A working directory (where code is extracted) must not be inside these. */
export const WORKDIR_FORBIDDEN_TREES: readonly string[] = [...SYSTEM_TREES, FLOW_STATE_DIR, FLOW_LOG_DIR];

export function isUnder(path: string, tree: string): boolean {
  return path === tree || path.startsWith(`${tree}/`);
}

/** The directory a mount at `path` (normalised) would hide, or undefined when it hides nothing of ours. */
export function hiddenByMount(path: string): string | undefined {
  return MOUNT_FORBIDDEN_TREES.find((t) => isUnder(path, t)) ?? (MOUNT_FORBIDDEN_EXACT.includes(path) ? path : undefined);
}

/** The system directory a working directory `path` (normalised) would be inside, or undefined. */
export function forbiddenWorkingDirTree(path: string): string | undefined {
  return WORKDIR_FORBIDDEN_TREES.find((t) => isUnder(path, t));
}
