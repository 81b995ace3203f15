// Deterministic tar.gz of a directory: sorted entries, fixed mtime, normalised owner and mode,
// gzip without timestamp or OS byte. The same tree gives the same bytes, so `pulumi preview`
// shows no diff when nothing changed.
import { promises as fs, type Stats } from "node:fs";
import * as path from "node:path";
import ignore, { type Ignore } from "ignore";
import { MAX_CODE_PACKAGE_BYTES } from "./constants";
import { writeTarGz, type TarEntry } from "./deterministic-tar-gz";
import { CodePackageError, CodePackageTooLargeError } from "./errors";
import { sha256Hex } from "./hash";

/** Left out of every package unless an ignore file re-includes them with `!pattern`. */
export const DEFAULT_CODE_EXCLUDES: readonly string[] = [
  ".git/",
  "__pycache__/",
  "node_modules/",
  ".venv/",
  "*.pyc",
  ".DS_Store",
  ".pulumi/",
  ".mypy_cache/",
  ".pytest_cache/",
  ".ruff_cache/",
  ".ipynb_checkpoints/",
];

/** mtime stored for every entry; extraction uses `tar -m`, so files get the time of arrival. */
const FIXED_MTIME = new Date("2000-01-01T00:00:00Z");

export interface PackageCodeOptions {
  /**
   * Largest gzipped package accepted, in bytes.
   *
   * @default 10485760 (10 MiB, the seed's limit)
   */
  maxCompressedBytes?: number;
  /**
   * More patterns to leave out, with .gitignore syntax. They take precedence over ignore files.
   *
   * @default - none
   */
  exclude?: string[];
  /**
   * Whether `DEFAULT_CODE_EXCLUDES` apply.
   *
   * @default true
   */
  defaultExcludes?: boolean;
  /**
   * gzip level, 1 (fast) to 9 (small).
   *
   * @default - 9 when the tar is at most 1 MiB (it may have to fit in a startup script), else 6
   * (as `tar czf`)
   */
  gzipLevel?: number;
}

export interface PackagedFile {
  /** Path inside the package, with `/` separators. */
  path: string;
  type: "file" | "symlink";
  /** Bytes of content (0 for a symlink). */
  size: number;
}

export interface PackagedCode {
  /** The gzipped tar. */
  bytes: Buffer;
  /** sha256 (hex) of `bytes`; the startup script checks it before extracting. */
  sha256: string;
  /**
   * sha256 (hex) of the uncompressed tar. Stays the same when only the zlib version changes.
   */
  contentSha256: string;
  /** Files and symlinks packaged, in archive order (directories are not listed). */
  files: PackagedFile[];
  /** Sum of the files' sizes. */
  uncompressedBytes: number;
  /** Size of `bytes`. */
  compressedBytes: number;
  /** Which kind of ignore file was honoured, if any. */
  ignoreFile?: ".flowignore" | ".gitignore";
  /** Entries left out for a reason other than an ignore rule (symlinks out of the tree, sockets). */
  skipped: { path: string; reason: string }[];
}

/** Escapes a directory name for use as a literal prefix in a .gitignore pattern. */
function escapeGlob(text: string): string {
  const escaped = text.replace(/[\\*?[\]]/g, "\\$&");
  return /^[!#]/.test(escaped) ? `\\${escaped}` : escaped;
}

/**
 * Rewrites one line of the ignore file in directory `base` so it means the same relative to the
 * root: a pattern with an inner slash is anchored to `base`, one without matches at any depth
 * below it. One rule list for the whole tree then gives git's precedence (the last matching rule
 * wins, deeper files come later) and its rule that nothing inside an excluded directory returns.
 */
export function rebaseIgnoreLine(line: string, base: string): string {
  if (base === "" || line.trim() === "" || line.startsWith("#")) return line;
  const negated = line.startsWith("!");
  const body = negated ? line.slice(1) : line;
  const anchored = body.replace(/\/+$/, "").includes("/");
  const prefix = escapeGlob(base);
  const rebased = anchored ? `${prefix}/${body.replace(/^\//, "")}` : `${prefix}/**/${body}`;
  return negated ? `!${rebased}` : rebased;
}

async function readIgnoreFile(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel);
}

/** 0755 for directories and anything executable, 0644 for the rest: the archive ignores umask. */
function normalisedMode(st: Stats): number {
  return st.isDirectory() || st.mode & 0o111 ? 0o755 : 0o644;
}

interface Walk {
  root: string;
  realRoot: string;
  entries: TarEntry[];
  files: PackagedFile[];
  skipped: { path: string; reason: string }[];
  ignoreName: ".flowignore" | ".gitignore";
  usedIgnoreFile: boolean;
  /** Defaults, then every ignore file met so far, rebased to the root. */
  rules: Ignore;
  /** `exclude`: applied after every ignore file, so nothing re-includes what it names. */
  extra?: Ignore;
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

async function walk(w: Walk, relDir: string): Promise<void> {
  const absDir = relDir === "" ? w.root : path.join(w.root, relDir);
  const names = (await fs.readdir(absDir)).sort(byName);
  if (relDir !== "" && names.includes(w.ignoreName)) {
    const text = await readIgnoreFile(path.join(absDir, w.ignoreName));
    if (text !== undefined) {
      w.rules.add(text.split(/\r?\n/).map((line) => rebaseIgnoreLine(line, relDir)));
      w.usedIgnoreFile = true;
    }
  }
  for (const name of names) {
    const rel = relDir === "" ? name : `${relDir}/${name}`;
    const abs = path.join(absDir, name);
    const st = await fs.lstat(abs);
    const probe = st.isDirectory() ? `${rel}/` : rel;
    if (w.rules.ignores(probe) || w.extra?.ignores(probe)) continue;
    if (st.isSymbolicLink()) {
      const target = await fs.readlink(abs);
      if (path.isAbsolute(target)) {
        w.skipped.push({ path: rel, reason: `absolute symlink to ${target}` });
        continue;
      }
      const lexical = path.resolve(absDir, target);
      let real: string | undefined;
      try {
        real = await fs.realpath(abs);
      } catch {
        real = undefined;
      }
      if (real === undefined) {
        w.skipped.push({ path: rel, reason: `dangling symlink to ${target}` });
        continue;
      }
      if (!inside(w.root, lexical) || !inside(w.realRoot, real)) {
        w.skipped.push({ path: rel, reason: `symlink to ${target} points outside the directory` });
        continue;
      }
      w.entries.push({ type: "symlink", path: rel, linkpath: target.split(path.sep).join("/") });
      w.files.push({ path: rel, type: "symlink", size: 0 });
    } else if (st.isDirectory()) {
      w.entries.push({ type: "directory", path: rel, mode: 0o755 });
      await walk(w, rel);
    } else if (st.isFile()) {
      w.entries.push({ type: "file", path: rel, absolute: abs, size: st.size, mode: normalisedMode(st) });
      w.files.push({ path: rel, type: "file", size: st.size });
    } else {
      w.skipped.push({ path: rel, reason: "not a regular file, directory or symlink" });
    }
  }
}

/**
 * Packages `dir` as a gzipped tar for upload to `/workspace`.
 *
 * Leaves out `DEFAULT_CODE_EXCLUDES`, whatever `.flowignore` files say (or, when the directory
 * has no `.flowignore`, its `.gitignore` files), and symlinks that leave the tree. Throws
 * `CodePackageTooLargeError` past `maxCompressedBytes`, `CodePackageError` when `dir` cannot be
 * read or nothing is left to package.
 */
export async function packageCode(dir: string, options: PackageCodeOptions = {}): Promise<PackagedCode> {
  const root = path.resolve(dir);
  const limit = options.maxCompressedBytes ?? MAX_CODE_PACKAGE_BYTES;
  let realRoot: string;
  try {
    const st = await fs.stat(root);
    if (!st.isDirectory()) throw new CodePackageError(`Cannot package ${root}: it is not a directory.`, { suggestions: ["Pass the directory that holds your code."] });
    realRoot = await fs.realpath(root);
  } catch (err) {
    if (err instanceof CodePackageError) throw err;
    throw new CodePackageError(`Cannot package ${root}: ${(err as Error).message}`, {
      cause: err,
      suggestions: ["Check that the directory exists and is readable."],
    });
  }

  const flowignore = await readIgnoreFile(path.join(root, ".flowignore"));
  const ignoreName = flowignore !== undefined ? ".flowignore" : ".gitignore";
  const rootIgnore = flowignore ?? (await readIgnoreFile(path.join(root, ".gitignore")));
  const rules = ignore();
  if (options.defaultExcludes ?? true) rules.add([...DEFAULT_CODE_EXCLUDES]);
  if (rootIgnore !== undefined) rules.add(rootIgnore);
  const w: Walk = {
    root,
    realRoot,
    entries: [],
    files: [],
    skipped: [],
    ignoreName,
    usedIgnoreFile: rootIgnore !== undefined,
    rules,
    extra: options.exclude?.length ? ignore().add(options.exclude) : undefined,
  };
  await walk(w, "");

  if (w.files.length === 0) {
    throw new CodePackageError(`Nothing to package in ${root}: every file is excluded or the directory is empty.`, {
      suggestions: ["Check .flowignore / .gitignore and the exclude option.", "Turn the code upload off if the task needs no local code."],
    });
  }

  const tarBytes = w.entries.reduce((n, e) => n + 512 + (e.type === "file" ? Math.ceil(e.size / 512) * 512 : 0), 1024);
  const largest = (): PackagedFile[] => [...w.files].sort((a, b) => b.size - a.size).slice(0, 10);
  const { bytes, tarSha256 } = await writeTarGz(w.entries, {
    level: options.gzipLevel ?? (tarBytes <= 1024 * 1024 ? 9 : 6),
    limitBytes: limit,
    mtime: FIXED_MTIME,
    onLimit: (reached) => new CodePackageTooLargeError(root, reached, limit, largest()),
    onChanged: (file) =>
      new CodePackageError(`${file} in ${root} changed size while it was being packaged.`, {
        suggestions: ["Package when nothing is writing to the directory (stop training runs writing there, or exclude their outputs)."],
      }),
  });
  return {
    bytes,
    sha256: sha256Hex(bytes),
    contentSha256: tarSha256,
    files: w.files,
    uncompressedBytes: w.files.reduce((sum, f) => sum + f.size, 0),
    compressedBytes: bytes.length,
    ignoreFile: w.usedIgnoreFile ? ignoreName : undefined,
    skipped: w.skipped,
  };
}
