// GPU requests as sbatch spells them: `--gres=gpu:8`, `--gres=gpu:a100:4`, `--gres=gpu:tesla_a100:2`,
// `--gpus=8`, `--gpus=h100:8`, `--gpus-per-node=a100:4`.

export interface GpuRequest {
  /** Lower-case GPU model as FCP spells it (`a100`, `h100`), when named. */
  type?: string;
  count: number;
}

/** Parses one `--gres` value; other generic resources (`nvme`, `shard`) return undefined. */
export function parseGres(value: string): GpuRequest | undefined {
  for (const item of value.split(",")) {
    const parts = item.trim().split(":");
    if (parts[0] !== "gpu") continue;
    const rest = parts.slice(1);
    const last = rest[rest.length - 1];
    const count = last !== undefined && /^\d+$/.test(last) ? Number(last) : 1;
    const typeWord = rest.length >= 2 || (rest.length === 1 && !/^\d+$/.test(rest[0])) ? rest[0] : undefined;
    return { type: gpuModel(typeWord), count };
  }
  return undefined;
}

/** `--gpus` / `--gpus-per-node`: `[type:]count`. */
export function parseGpus(value: string): GpuRequest {
  const parts = value.trim().split(":");
  const count = Number(parts[parts.length - 1]);
  if (!Number.isInteger(count) || count < 1) throw new Error(`"${value}" is not a GPU count ([type:]N)`);
  return { type: gpuModel(parts.length > 1 ? parts[0] : undefined), count };
}

/** `tesla_a100`, `nvidia-h100-80gb`, `A100` → `a100`, `h100`. */
function gpuModel(word: string | undefined): string | undefined {
  if (!word) return undefined;
  const m = /([a-z]+\d+[a-z]*)/.exec(word.toLowerCase().replace(/^(nvidia|tesla)[-_]?/, ""));
  return m?.[1];
}
