// Writes a tar.gz of a list of entries, deterministically and fast. Headers come from the `tar`
// package (ustar + pax for long names); the loop is ours so that files are read synchronously in
// large blocks and each 1 MiB block of the tar is gzipped on the libuv thread pool while the next
// is read, the way `tar czf` overlaps tar and gzip in two processes. The result is a multi-member
// gzip (valid for gzip, GNU tar, Python and zlib); block boundaries are fixed, so the same entries
// always give the same bytes.
import { createHash } from "node:crypto";
import { closeSync, openSync, readSync } from "node:fs";
import { promisify } from "node:util";
import { gzip as gzipCallback } from "node:zlib";
import { Header, Pax } from "tar";

const gzip = promisify(gzipCallback);

/** Size of the tar slices compressed as separate gzip members. */
export const GZIP_BLOCK_BYTES = 1024 * 1024;
/** Blocks compressing at once; bounds memory and lets an over-limit package stop early. */
const IN_FLIGHT = 4;

export type TarEntry =
  | { type: "file"; path: string; absolute: string; size: number; mode: number }
  | { type: "directory"; path: string; mode: number }
  | { type: "symlink"; path: string; linkpath: string };

export interface TarGzOptions {
  /** gzip level for every member. */
  level: number;
  /** Stop with `onLimit`'s error once the compressed output passes this many bytes. */
  limitBytes: number;
  /** mtime written for every entry. */
  mtime: Date;
  /** Builds the error thrown when the output passes `limitBytes`; receives the size reached. */
  onLimit: (compressedBytes: number) => Error;
  /** Builds the error thrown when a file's size changed while it was read. */
  onChanged: (path: string) => Error;
}

export interface TarGzResult {
  bytes: Buffer;
  /** sha256 (hex) of the uncompressed tar stream. */
  tarSha256: string;
}

export async function writeTarGz(entries: readonly TarEntry[], options: TarGzOptions): Promise<TarGzResult> {
  const tarHash = createHash("sha256");
  const pending: Promise<Buffer>[] = [];
  const done: Buffer[] = [];
  let compressed = 0;
  let block = Buffer.alloc(GZIP_BLOCK_BYTES);
  let used = 0;

  const settleOldest = async (): Promise<void> => {
    const member = await (pending.shift() as Promise<Buffer>);
    member[9] = 0xff; // gzip OS byte: the same bytes from every platform
    done.push(member);
    compressed += member.length;
    if (compressed > options.limitBytes) throw options.onLimit(compressed);
  };
  const flush = async (): Promise<void> => {
    if (used === 0) return;
    const slice = block.subarray(0, used);
    tarHash.update(slice);
    pending.push(gzip(slice, { level: options.level }));
    block = Buffer.alloc(GZIP_BLOCK_BYTES);
    used = 0;
    while (pending.length >= IN_FLIGHT) await settleOldest();
  };
  const append = async (data: Buffer): Promise<void> => {
    let offset = 0;
    while (offset < data.length) {
      const n = data.copy(block, used, offset);
      used += n;
      offset += n;
      if (used === GZIP_BLOCK_BYTES) await flush();
    }
  };
  // Zero bytes: the block is zero-filled, so they are only a skip.
  const zeros = async (count: number): Promise<void> => {
    let rest = count;
    while (rest > 0) {
      const n = Math.min(rest, GZIP_BLOCK_BYTES - used);
      used += n;
      rest -= n;
      if (used === GZIP_BLOCK_BYTES) await flush();
    }
  };

  try {
    for (const entry of entries) {
      const data =
        entry.type === "file"
          ? { path: entry.path, mode: entry.mode, size: entry.size, type: "File" as const }
          : entry.type === "directory"
            ? { path: `${entry.path}/`, mode: entry.mode, size: 0, type: "Directory" as const }
            : { path: entry.path, mode: 0o777, size: 0, type: "SymbolicLink" as const, linkpath: entry.linkpath };
      const header = new Header({ ...data, mtime: options.mtime });
      if (header.encode()) {
        await append(new Pax({ path: data.path, linkpath: "linkpath" in data ? data.linkpath : undefined, size: data.size, mtime: options.mtime }).encode());
      }
      await append(header.block as Buffer);
      if (entry.type === "file" && entry.size > 0) {
        await appendFile(entry.absolute, entry.size, entry.path);
        await zeros((512 - (entry.size % 512)) % 512);
      }
    }
    await zeros(1024); // two zero blocks end the archive
    await flush();
    while (pending.length > 0) await settleOldest();
  } catch (err) {
    // Let blocks already queued finish quietly; their results are dropped.
    await Promise.allSettled(pending);
    throw err;
  }
  return { bytes: Buffer.concat(done), tarSha256: tarHash.digest("hex") };

  // Reads exactly `size` bytes straight into the current block.
  async function appendFile(absolute: string, size: number, path: string): Promise<void> {
    const fd = openSync(absolute, "r");
    try {
      let remaining = size;
      while (remaining > 0) {
        const n = readSync(fd, block, used, Math.min(remaining, GZIP_BLOCK_BYTES - used), null);
        if (n === 0) throw options.onChanged(path);
        used += n;
        remaining -= n;
        if (used === GZIP_BLOCK_BYTES) await flush();
      }
      const probe = Buffer.alloc(1);
      if (readSync(fd, probe, 0, 1, null) !== 0) throw options.onChanged(path);
    } finally {
      closeSync(fd);
    }
  }
}
