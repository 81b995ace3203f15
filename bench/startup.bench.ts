// Benchmarks for issue 4: code packaging throughput against GNU `tar czf` on the same tree, and
// the largest code payload a 10,000-character startup script can carry.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { buildStartupScript, packageCode, STARTUP_SCRIPT_LIMIT, type StartupStrategy } from "../src/startup";

export type { BenchResult } from "./bench-result";
import type { BenchResult } from "./bench-result";

const RUNS = 3;

/** Deterministic pseudo-source text: compresses like real code (about 4:1), not like zeros. */
function sourceText(seed: number, bytes: number): string {
  const words = ["def", "return", "import", "torch", "self", "x", "loss", "optimizer", "step", "for", "in", "range", "batch", "model", "if", "else", "None", "lr", "grad", "=", "(", ")", ":", "+", "1e-4"];
  let s = seed >>> 0;
  const out: string[] = [];
  let len = 0;
  while (len < bytes) {
    s = (s * 1103515245 + 12345) >>> 0;
    const line = `${"    ".repeat(s % 3)}${words[s % words.length]} ${words[(s >>> 8) % words.length]}_${s % 97} ${words[(s >>> 16) % words.length]} ${s % 1000}\n`;
    out.push(line);
    len += line.length;
  }
  return out.join("").slice(0, bytes);
}

/** An ML-repository-like tree: many small sources, some configs, a few incompressible blobs. */
function generateTree(): { dir: string; bytes: number; files: number } {
  const dir = mkdtempSync(join(tmpdir(), "bench-tree-"));
  let bytes = 0;
  let files = 0;
  for (let i = 0; i < 1500; i++) {
    const sub = join(dir, `pkg${i % 30}`, `mod${i % 7}`);
    mkdirSync(sub, { recursive: true });
    const text = sourceText(i, 4000 + (i % 9) * 1000);
    writeFileSync(join(sub, `file_${i}.py`), text);
    bytes += text.length;
    files++;
  }
  mkdirSync(join(dir, "assets"));
  for (let i = 0; i < 20; i++) {
    const blob = randomBytes(200_000);
    writeFileSync(join(dir, "assets", `blob_${i}.bin`), blob);
    bytes += blob.length;
    files++;
  }
  return { dir, bytes, files };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function packagingThroughput(): Promise<BenchResult[]> {
  const tree = generateTree();
  const out = mkdtempSync(join(tmpdir(), "bench-gnutar-"));
  try {
    const ours: number[] = [];
    const gnu: number[] = [];
    let ourSize = 0;
    let gnuSize = 0;
    for (let i = 0; i < RUNS; i++) {
      let t = performance.now();
      const pkg = await packageCode(tree.dir, { maxCompressedBytes: Number.MAX_SAFE_INTEGER });
      ours.push(performance.now() - t);
      ourSize = pkg.compressedBytes;

      const archive = join(out, `run${i}.tgz`);
      t = performance.now();
      const r = spawnSync("tar", ["czf", archive, "-C", tree.dir, "."]);
      gnu.push(performance.now() - t);
      if (r.status !== 0) throw new Error(`GNU tar failed: ${r.stderr.toString()}`);
      gnuSize = statSync(archive).size;
    }
    const oursMs = median(ours);
    const gnuMs = median(gnu);
    const mb = tree.bytes / 1e6;
    const ratio = oursMs / gnuMs;
    return [
      { name: "packageCode tree", value: Math.round(mb * 10) / 10, unit: `MB in ${tree.files} files` },
      { name: "packageCode throughput", value: Math.round((mb / (oursMs / 1000)) * 10) / 10, unit: "MB/s" },
      { name: "GNU tar czf throughput", value: Math.round((mb / (gnuMs / 1000)) * 10) / 10, unit: "MB/s" },
      { name: "packageCode time / GNU tar czf time", value: Math.round(ratio * 100) / 100, unit: "x", target: "<= 1.5", ok: ratio <= 1.5 },
      { name: "packageCode size / GNU tar czf size", value: Math.round((ourSize / gnuSize) * 1000) / 1000, unit: "x" },
    ];
  } finally {
    rmSync(tree.dir, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  }
}

/** The gzipped size of a package holding `n` random bytes, and whether its minimal script fits. */
async function fits(n: number, strategy: StartupStrategy, work: string): Promise<{ ok: boolean; packageBytes: number; scriptBytes?: number }> {
  const dir = join(work, `p${n}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "payload.bin"), randomBytes(n));
  const code = await packageCode(dir);
  rmSync(dir, { recursive: true, force: true });
  try {
    const built = buildStartupScript({ taskName: "bench", code, run: { command: ["python", "train.py"] } }, { strategy });
    return { ok: true, packageBytes: code.compressedBytes, scriptBytes: built.bytes };
  } catch {
    return { ok: false, packageBytes: code.compressedBytes };
  }
}

async function largestPayload(strategy: StartupStrategy, work: string): Promise<{ packageBytes: number; scriptBytes: number }> {
  let lo = 0;
  let hi = STARTUP_SCRIPT_LIMIT;
  let best = { packageBytes: 0, scriptBytes: 0 };
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    const r = await fits(mid, strategy, work);
    if (r.ok) {
      lo = mid;
      best = { packageBytes: r.packageBytes, scriptBytes: r.scriptBytes ?? 0 };
    } else hi = mid - 1;
  }
  return best;
}

async function payloadCapacity(): Promise<BenchResult[]> {
  const work = mkdtempSync(join(tmpdir(), "bench-payload-"));
  try {
    const inline = await largestPayload("inline", work);
    const compressed = await largestPayload("compressed", work);
    const best = Math.max(inline.packageBytes, compressed.packageBytes);
    const minimal = buildStartupScript({ taskName: "bench", run: { command: ["python", "train.py"] } });
    return [
      { name: "minimal script without code", value: minimal.bytes, unit: "bytes" },
      { name: "largest code package inline", value: inline.packageBytes, unit: `bytes gzipped (script ${inline.scriptBytes} chars)` },
      { name: "largest code package compressed", value: compressed.packageBytes, unit: `bytes gzipped (script ${compressed.scriptBytes} chars)` },
      { name: "largest code package under 10,000 characters", value: best, unit: "bytes gzipped", target: ">= 6000", ok: best >= 6000 },
    ];
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchResult[]> {
  return [...(await packagingThroughput()), ...(await payloadCapacity())];
}
