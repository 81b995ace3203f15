// An sbatch script → one TaskConfig (or one per --array index). Every directive is either
// mapped, or listed in `warnings` with what happens instead; none is dropped silently.
import * as path from "node:path";
import { ValidationError } from "../../fcp-api/errors";
import { parseTaskConfig, type TaskConfig } from "../../resources/task-config";
import { parseGpus, parseGres, type GpuRequest } from "./gres";
import { instanceTypeForPartition } from "./partitions";
import { readSbatchScript, type SbatchDirective } from "./sbatch-directives";
import { slurmJobId, slurmPrelude } from "./slurm-env";
import { parseSlurmTimeHours } from "./slurm-time";

export interface SbatchOptions {
  /** The script's file name: the job name when there is no --job-name. */
  file?: string;
  /** `--partition` → instance type. @default {} */
  partitions?: Readonly<Record<string, string>>;
  /** The limit price per instance-hour; sbatch scripts have none. */
  maxPricePerHour?: number | string;
  region?: string;
  /** GPU model when the script names none and no partition maps. @default "a100" */
  defaultGpu?: string;
  /** For `--export=VAR` (no value): where VAR's value comes from. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /** Fields that win over the script's (e.g. `instanceType` from the command line). */
  overrides?: Record<string, unknown>;
}

export interface SbatchConversion {
  /** One per array index, in order; one without --array. */
  tasks: TaskConfig[];
  /** Directives not supported, or supported only in part, each with its line. */
  warnings: string[];
}

const IGNORED_WITH_REASON: Readonly<Record<string, string>> = {
  account: "FCP bills the API key's project, not a SLURM account",
  qos: "FCP has no QOS; the limit price decides allocation",
  "cpus-per-task": "instance types come with a fixed number of CPUs",
  "mem-per-cpu": "instance types come with fixed memory",
  "mem-per-gpu": "instance types come with fixed memory",
  exclusive: "every FCP instance is exclusive already",
  constraint: "use --partition (mapped to an instance type) instead",
  nodelist: "FCP chooses the machines",
  exclude: "FCP chooses the machines",
  dependency: "submit dependent jobs after this one completes (flow run ... && flow status --wait)",
  "mail-type": "Flow sends no mail",
  "mail-user": "Flow sends no mail",
  requeue: "a preempted FCP bid re-allocates on its own",
  "no-requeue": "a preempted FCP bid re-allocates on its own",
  signal: "the instance shuts down at max_run_time_hours without a warning signal",
  "open-mode": "output files are always appended to",
  reservation: "FCP has no reservations through this frontend",
};

/** Parses an sbatch script into TaskConfigs. Throws `ValidationError` for values it cannot map. */
export function sbatchToTaskConfigs(text: string, options: SbatchOptions = {}): SbatchConversion {
  const script = readSbatchScript(text);
  const warnings: string[] = [];
  const problems: string[] = [];
  const get = new Map<string, SbatchDirective>();
  for (const d of script.directives) {
    if (!d.option) {
      warnings.push(`line ${d.line}: ${JSON.stringify(d.value)} is not an option; ignored`);
      continue;
    }
    get.set(d.option, d); // sbatch: the last one wins
  }
  const value = (name: string) => get.get(name)?.value;
  const where = (name: string) => `line ${get.get(name)?.line}: --${name}`;

  const baseName = sanitizeName(value("job-name") ?? (options.file ? path.basename(options.file).replace(/\.[^.]*$/, "") : "sbatch-job"));
  let nodes = 1;
  const nodesValue = value("nodes");
  if (nodesValue !== undefined) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(nodesValue);
    if (!m) problems.push(`${where("nodes")}=${nodesValue} is not a node count`);
    else {
      nodes = Number(m[1]);
      if (m[2]) warnings.push(`${where("nodes")}=${nodesValue}: a range; the bid asks for exactly ${nodes} (the minimum)`);
    }
  }
  const tasksPerNode = intOption(value("ntasks-per-node"), "ntasks-per-node", problems) ?? 1;
  const ntasks = intOption(value("ntasks"), "ntasks", problems);
  if (ntasks !== undefined && ntasks !== nodes * tasksPerNode) {
    warnings.push(`${where("ntasks")}=${ntasks}: Flow starts the script once per node (${nodes}); launch the ${ntasks} tasks from it (srun/torchrun)`);
  }

  // GPUs per node, from the most specific spelling given.
  let gpu: GpuRequest | undefined;
  try {
    if (value("gpus-per-node") !== undefined) gpu = parseGpus(value("gpus-per-node")!);
    else if (value("gres") !== undefined) {
      gpu = parseGres(value("gres")!);
      if (!gpu) warnings.push(`${where("gres")}=${value("gres")}: no gpu in it; only GPUs are mapped`);
    } else if (value("gpus") !== undefined) {
      const total = parseGpus(value("gpus")!);
      if (total.count % nodes !== 0) problems.push(`${where("gpus")}=${value("gpus")} cannot be split evenly over ${nodes} nodes`);
      gpu = { type: total.type, count: Math.max(1, Math.floor(total.count / nodes)) };
    }
  } catch (e) {
    problems.push((e as Error).message);
  }

  let instanceType: string;
  const partition = value("partition");
  if (partition !== undefined) {
    instanceType = instanceTypeForPartition(partition.split(",")[0], options.partitions ?? {});
    if (partition.includes(",")) warnings.push(`${where("partition")}=${partition}: several partitions; the first (${partition.split(",")[0]}) is used`);
  } else {
    const type = gpu?.type ?? options.defaultGpu ?? "a100";
    if (!gpu?.type) warnings.push(`no GPU model in the script (--gres=gpu:TYPE:N or --partition); using ${type}`);
    instanceType = `${gpu?.count ?? 1}x${type}`;
  }

  let maxRunTimeHours: number | undefined;
  if (value("time") !== undefined) {
    try {
      maxRunTimeHours = parseSlurmTimeHours(value("time")!);
    } catch (e) {
      problems.push(`${where("time")}: ${(e as Error).message}`);
    }
  }
  if (value("mem") !== undefined) {
    warnings.push(`${where("mem")}=${value("mem")}: not enforced; an FCP instance type comes with fixed memory (choose it with --partition or --gres)`);
  }

  const env: Record<string, string> = {};
  const exportValue = value("export");
  if (exportValue !== undefined) {
    for (const item of exportValue.split(",")) {
      const [k, ...v] = item.split("=");
      if (k === "ALL" || k === "NONE" || k === "NIL") {
        if (k === "ALL") warnings.push(`${where("export")}=ALL: the local environment is not copied to the instance (it may hold secrets); list the variables: --export=VAR,VAR2=value`);
        continue;
      }
      if (v.length) env[k] = v.join("=");
      else if (options.env?.[k] ?? process.env[k]) env[k] = (options.env ?? process.env)[k]!;
      else warnings.push(`${where("export")}: ${k} is not set here; not exported`);
    }
  }

  const handled = new Set(["job-name", "nodes", "ntasks", "ntasks-per-node", "gres", "gpus", "gpus-per-node", "time", "mem", "export", "output", "error", "array", "partition", "chdir"]);
  for (const d of get.values()) {
    if (handled.has(d.option)) continue;
    const reason = IGNORED_WITH_REASON[d.option] ?? "not supported by the Flow sbatch frontend";
    warnings.push(`line ${d.line}: --${d.option}${d.value !== undefined ? `=${d.value}` : ""} ignored: ${reason}`);
  }

  const indices = value("array") !== undefined ? parseArray(value("array")!, warnings, where("array"), problems) : undefined;
  if (problems.length) {
    throw new ValidationError(`Cannot convert the sbatch script${options.file ? ` ${options.file}` : ""}:\n${problems.map((p) => `  - ${p}`).join("\n")}`, {
      field: "sbatch",
      suggestions: ["Fix the #SBATCH lines above; see `flow run --help` for the supported directives."],
    });
  }
  const price = options.maxPricePerHour;
  if (price === undefined) {
    throw new ValidationError("An sbatch script has no limit price, and none was given.", {
      field: "maxPricePerHour",
      suggestions: ["Pass --max-price-per-hour 12.50, or set `slurm: {max_price_per_hour: 12.50}` in ~/.flow/config.yaml."],
    });
  }

  const shell = script.shebang ?? "/bin/bash";
  const isShell = /(^|\/|\s)(ba|z|da)?sh(\s|$)/.test(shell);
  if (!isShell) warnings.push(`the script runs with ${shell}: SLURM_NODEID, SLURM_PROCID and the --output redirection need a shell script; only the fixed SLURM variables are set`);
  const workingDir = value("chdir") ?? "/workspace";
  const prelude = slurmPrelude({ tasksPerNode, output: value("output"), error: value("error"), workingDir });
  const content = isShell ? `#!${shell}\n${prelude}\n${script.body}\n` : `#!${shell}\n${script.body}\n`;
  const jobId = slurmJobId(baseName);

  const one = (index?: number): TaskConfig => {
    const name = index === undefined ? baseName : `${baseName}-${index}`;
    const slurmEnv: Record<string, string> = {
      SLURM_JOB_ID: String(index === undefined ? jobId : jobId + 1 + index),
      SLURM_JOB_NAME: baseName,
      SLURM_NTASKS_PER_NODE: String(tasksPerNode),
    };
    if (gpu) slurmEnv.SLURM_GPUS_ON_NODE = String(gpu.count);
    if (index !== undefined && indices) {
      Object.assign(slurmEnv, {
        SLURM_ARRAY_JOB_ID: String(jobId),
        SLURM_ARRAY_TASK_ID: String(index),
        SLURM_ARRAY_TASK_COUNT: String(indices.length),
        SLURM_ARRAY_TASK_MIN: String(Math.min(...indices)),
        SLURM_ARRAY_TASK_MAX: String(Math.max(...indices)),
      });
    }
    return parseTaskConfig({
      name,
      instanceType,
      numInstances: nodes,
      maxPricePerHour: price,
      ...(maxRunTimeHours !== undefined ? { maxRunTimeHours } : {}),
      ...(options.region ? { region: options.region } : {}),
      env: { ...env, ...slurmEnv },
      script: content,
      workingDir,
      uploadCode: false,
      ...options.overrides,
    });
  };
  return { tasks: indices ? indices.map(one) : [one()], warnings };
}

function intOption(v: string | undefined, name: string, problems: string[]): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1) {
    problems.push(`--${name}=${v} must be a whole number of at least 1`);
    return undefined;
  }
  return Number(v);
}

/** `0-3`, `1,3,5`, `0-15:4`, `1-10%2` (the throttle is warned about: every task runs at once). */
function parseArray(spec: string, warnings: string[], where: string, problems: string[]): number[] {
  const [list, throttle] = spec.split("%");
  if (throttle !== undefined) warnings.push(`${where}=${spec}: the %${throttle} throttle is not applied; every array task is its own bid and starts at once`);
  const out: number[] = [];
  for (const part of list.split(",")) {
    const m = /^(\d+)(?:-(\d+)(?::(\d+))?)?$/.exec(part.trim());
    if (!m) {
      problems.push(`${where}=${spec}: ${JSON.stringify(part)} is not an index, a range or a range:step`);
      continue;
    }
    const start = Number(m[1]);
    const end = m[2] !== undefined ? Number(m[2]) : start;
    const step = m[3] !== undefined ? Number(m[3]) : 1;
    if (end < start || step < 1) {
      problems.push(`${where}=${spec}: ${part} is an empty range`);
      continue;
    }
    for (let i = start; i <= end; i += step) out.push(i);
  }
  if (out.length > 100) problems.push(`${where}=${spec}: ${out.length} array tasks; at most 100 bids are submitted at once`);
  return [...new Set(out)].sort((a, b) => a - b);
}

function sanitizeName(v: string): string {
  const fixed = v.replace(/[^A-Za-z0-9_-]+/g, "-").replace(/^[-_]+|[-_]+$/g, "").slice(0, 50);
  return fixed || "sbatch-job";
}
