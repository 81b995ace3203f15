// TaskConfig's path rules, in the user's terms: absolute, the startup script's small alphabet,
// normalised, and not where startup's mount rules forbid.
import { posix } from "node:path";

// Paths go into shell commands, fstab and `docker -v`: the startup script's small alphabet keeps
// them safe in all three.
const SAFE_PATH_RE = /^[A-Za-z0-9._/-]+$/;

/** No trailing or doubled slashes, no `.` segments. */
export function normalizePath(p: string): string {
  const n = posix.normalize(p);
  return n.length > 1 ? n.replace(/\/+$/, "") : n;
}

/**
 * What is wrong with `v` as an absolute path on the instance; `hidden` names the directory a path
 * would hide (startup's `hiddenByMount` or `forbiddenWorkingDirTree`), undefined when none.
 */
export function absolutePathIssues(v: string, hidden: (normalized: string) => string | undefined): { message: string; suggestions?: string[] } | undefined {
  if (!v.startsWith("/")) {
    return { message: 'must be an absolute path, starting with "/"', suggestions: [`Write ${JSON.stringify(`/${v.replace(/^\.?\/*/, "")}`)}.`] };
  }
  if (!SAFE_PATH_RE.test(v)) return { message: "may contain only letters, digits, '.', '_', '-' and '/' (no spaces or quotes)" };
  if (v.split("/").includes("..")) return { message: 'must not contain ".." segments' };
  const p = normalizePath(v);
  if (p === "/") return { message: "must not be / (the root filesystem)" };
  const dir = hidden(p);
  if (dir) {
    return { message: `would hide the system directory ${dir}`, suggestions: ["Use a path of your own, e.g. /data, /mnt/data or /checkpoints."] };
  }
  return undefined;
}
