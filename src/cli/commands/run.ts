// `flow run <task.yaml | job.slurm>` or `flow run -i TYPE [-- command...]`: submit, then wait
// until it runs (unless --no-wait); prints the task and how to reach it.
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import type { Command } from "commander";
import { loadSlurmSettings, sbatchToTaskConfigs } from "../../frontends/slurm";
import { parseTaskConfig, type TaskConfig } from "../../resources/task-config";
import { loadTaskFile, taskConfigToInput } from "../../resources/task-file";
import type { TaskHandle } from "../../sdk/task-handle";
import { withFlow, parseIntOption } from "../context";
import { UsageError } from "../exit-codes";
import { printJson, println, withSpinner } from "../output";

interface RunOptions {
  instanceType?: string;
  name?: string;
  maxPricePerHour?: string;
  numInstances?: number;
  image?: string;
  region?: string;
  wait: boolean;
  timeout: number;
  json?: boolean;
  uploadCode?: boolean;
}

export function registerRun(program: Command): void {
  program
    .command("run")
    .description("submit a task: a YAML task file, an sbatch script, or -i TYPE [-- command]")
    .argument("[file]", "task.yaml, or an sbatch script (#SBATCH lines)")
    .argument("[command...]", "after --: the command to run (with -i)")
    .option("-i, --instance-type <type>", "instance type (a100, 8xh100, ...); overrides the file's")
    .option("-n, --name <name>", "task name; overrides the file's")
    .option("--max-price-per-hour <dollars>", "limit price per instance-hour")
    .option("--num-instances <n>", "instances (nodes)", parseIntOption("--num-instances"))
    .option("--image <image>", "container image")
    .option("--upload-code", "upload the current directory (with -i)")
    .option("--no-wait", "return once the bid is placed")
    .option("--timeout <seconds>", "how long to wait for running", parseIntOption("--timeout"), 1800)
    .option("--json", "print the task as JSON")
    .addHelpText(
      "after",
      `
sbatch directives mapped: --job-name --nodes --ntasks-per-node --gres=gpu[:type]:N --gpus --gpus-per-node
--time --mem (warned: fixed per instance type) --export --output/--error --array --partition --chdir;
partitions map to instance types through \`slurm: {partitions: {...}}\` in ~/.flow/config.yaml.
Anything else is listed as a warning.`,
    )
    .action(async (file: string | undefined, command: string[], local: RunOptions, cmd: Command) => {
      // --region is the global option; it also sets the task's region.
      const o: RunOptions = { ...local, region: cmd.optsWithGlobals<{ region?: string }>().region };
      const { configs, warnings } = configsFor(file, command, o);
      for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
      await withFlow(cmd, async (flow) => {
        const handles: TaskHandle[] = [];
        for (const config of configs) handles.push(await withSpinner(`submitting ${config.name}`, () => flow.run(config)));
        if (o.wait) {
          for (const h of handles) {
            await withSpinner(`${h.name}: pending`, (set) => h.wait({ until: "running", timeout: o.timeout, onStatus: (s) => set(`${h.name}: ${s}`) }));
          }
        }
        if (o.json) return printJson(handles.length === 1 ? handles[0].toJSON() : handles.map((h) => h.toJSON()));
        for (const h of handles) {
          println(`${h.name}  ${h.id}  ${h.status}  ${h.hourlyCost}/h`);
          if (h.instances.length) println(`  ssh: flow ssh ${h.name}   (or ${h.sshCommand(0)})`);
          println(`  logs: flow logs ${h.name} -f`);
        }
      });
    });
}

function configsFor(file: string | undefined, command: string[], o: RunOptions): { configs: TaskConfig[]; warnings: string[] } {
  const overrides: Record<string, unknown> = {};
  if (o.instanceType) overrides.instanceType = o.instanceType;
  if (o.name) overrides.name = o.name;
  // `--max-price-per-hour 12.5` means dollars, as in a task file.
  const price = o.maxPricePerHour && /^\d+(\.\d+)?$/.test(o.maxPricePerHour) ? Number(o.maxPricePerHour) : o.maxPricePerHour;
  if (price !== undefined) overrides.maxPricePerHour = price;
  if (o.numInstances) overrides.numInstances = o.numInstances;
  if (o.image) overrides.image = o.image;
  if (o.region) overrides.region = o.region;

  if (!file || (!existsSync(file) && o.instanceType)) {
    // `flow run -i a100 -- python train.py`: commander puts the first word of the command in `file`.
    const argv = file ? [file, ...command] : command;
    if (!o.instanceType) throw new UsageError("flow run needs a task file, or -i TYPE [-- command].", ["flow run task.yaml", "flow run -i a100 --max-price-per-hour 10 -- python train.py"]);
    if (!o.maxPricePerHour) throw new UsageError("flow run -i needs --max-price-per-hour: FCP bids need a limit price.", ["flow run -i a100 --max-price-per-hour 10"]);
    return {
      configs: [parseTaskConfig({ name: o.name ?? `flow-${Date.now().toString(36)}`, uploadCode: o.uploadCode ?? false, ...overrides, ...(argv.length ? { command: argv } : { shell: "sleep infinity" }) })],
      warnings: [],
    };
  }
  if (command.length) throw new UsageError(`A task file and a command cannot both be given (${file} and ${command.join(" ")}).`);
  if (!existsSync(file)) throw new UsageError(`No such task file: ${file}.`, ["Task files are YAML (task.yaml) or sbatch scripts (job.slurm)."]);
  if (isSbatch(file)) {
    const settings = loadSlurmSettings();
    const { tasks, warnings } = sbatchToTaskConfigs(readFileSync(file, "utf8"), {
      file,
      partitions: settings.partitions,
      maxPricePerHour: price ?? settings.maxPricePerHour,
      region: o.region ?? settings.region,
      overrides,
    });
    return { configs: tasks, warnings };
  }
  const { config } = loadTaskFile(file);
  return { configs: [Object.keys(overrides).length ? reparse(config, overrides) : config], warnings: [] };
}

function reparse(config: TaskConfig, overrides: Record<string, unknown>): TaskConfig {
  return parseTaskConfig({ ...taskConfigToInput(config), ...overrides });
}

function isSbatch(file: string): boolean {
  if (/\.(slurm|sbatch|sh)$/i.test(path.extname(file))) return true;
  if (/\.(ya?ml)$/i.test(file)) return false;
  return /^#SBATCH/m.test(readFileSync(file, "utf8"));
}
