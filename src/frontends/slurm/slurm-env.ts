// The SLURM variables batch scripts rely on, from what a Flow node knows: static ones go in the
// task's env, per-node ones are derived at run time from the cluster env (FLOW_NODE_RANK,
// FLOW_NUM_NODES, FLOW_NODE_IPS) by a bash prelude placed before the script body.
import { createHash } from "node:crypto";
import { shellQuote } from "../../startup/shell-quote";

/** A stable numeric job id (SLURM's are integers), from the job's name. */
export function slurmJobId(name: string): number {
  return 100_000 + (createHash("sha256").update(name).digest().readUInt32BE(0) % 900_000);
}

/** `%j`, `%x`, `%A`, `%a`, `%N`, `%n`, `%t`, `%u`, `%%` in an --output/--error pattern, as shell text. */
export function expandFilenamePattern(pattern: string): string {
  const map: Record<string, string> = {
    j: "${SLURM_JOB_ID}", x: "${SLURM_JOB_NAME}", A: "${SLURM_ARRAY_JOB_ID:-$SLURM_JOB_ID}", a: "${SLURM_ARRAY_TASK_ID:-0}",
    N: "$(hostname)", n: "${SLURM_NODEID}", t: "${SLURM_PROCID}", u: "$(id -un)", s: "batch",
  };
  // Everything but the substitutions is quoted, so spaces and `$` in a path stay literal.
  let out = "";
  let literal = "";
  const flush = () => {
    if (literal) out += shellQuote(literal);
    literal = "";
  };
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === "%" && i + 1 < pattern.length) {
      const next = pattern[++i];
      if (next === "%") literal += "%";
      else if (map[next]) {
        flush();
        out += `"${map[next]}"`;
      } else literal += `%${next}`;
    } else literal += ch;
  }
  flush();
  return out || "''";
}

export interface PreludeOptions {
  tasksPerNode: number;
  output?: string;
  error?: string;
  workingDir: string;
}

/** Bash lines that set the per-node SLURM variables and send output where --output/--error say. */
export function slurmPrelude(o: PreludeOptions): string {
  const lines = [
    "# SLURM variables from the Flow cluster env (pulumi-fcp sbatch frontend)",
    'export SLURM_NNODES="${FLOW_NUM_NODES:-1}" SLURM_JOB_NUM_NODES="${FLOW_NUM_NODES:-1}"',
    'export SLURM_NODEID="${FLOW_NODE_RANK:-0}"',
    `export SLURM_PROCID=$((SLURM_NODEID * ${o.tasksPerNode})) SLURM_LOCALID=0`,
    `export SLURM_NTASKS=$((SLURM_NNODES * ${o.tasksPerNode})) SLURM_NPROCS=$((SLURM_NNODES * ${o.tasksPerNode}))`,
    'export SLURM_JOB_NODELIST="${FLOW_NODE_IPS:-$(hostname -i 2>/dev/null | cut -d" " -f1)}"',
    'export SLURM_NODELIST="$SLURM_JOB_NODELIST" SLURMD_NODENAME="$(hostname)"',
    `export SLURM_SUBMIT_DIR=${shellQuote(o.workingDir)}`,
  ];
  if (o.output !== undefined) {
    const out = expandFilenamePattern(o.output);
    lines.push(`mkdir -p "$(dirname ${out})"`);
    if (o.error !== undefined) {
      const err = expandFilenamePattern(o.error);
      lines.push(`mkdir -p "$(dirname ${err})"`);
      lines.push(`exec > >(tee -a ${out}) 2> >(tee -a ${err} >&2)`);
    } else {
      lines.push(`exec > >(tee -a ${out}) 2>&1`);
    }
  } else if (o.error !== undefined) {
    const err = expandFilenamePattern(o.error);
    lines.push(`mkdir -p "$(dirname ${err})"`);
    lines.push(`exec 2> >(tee -a ${err} >&2)`);
  }
  return lines.join("\n");
}
