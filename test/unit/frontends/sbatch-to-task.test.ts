// Real-world sbatch scripts (the shapes cluster docs and ML repos publish) → the TaskConfig
// each becomes, and the warnings for what FCP cannot honour.
import { execFileSync } from "node:child_process";
import { sbatchToTaskConfigs, parseSlurmTimeHours, parseGres } from "../../../src/frontends/slurm";
import type { TaskConfig } from "../../../src/resources/task-config";

interface Case {
  title: string;
  script: string;
  options?: Parameters<typeof sbatchToTaskConfigs>[1];
  expected: Array<Partial<TaskConfig>>;
  env?: Record<string, string>;
  warnings?: RegExp[];
}

const PRICE = { maxPricePerHour: 12 };

const CASES: Case[] = [
  {
    title: "single node, one GPU (a university HPC quick start)",
    script: `#!/bin/bash
#SBATCH --job-name=resnet50
#SBATCH --partition=gpu
#SBATCH --gres=gpu:1
#SBATCH --time=04:00:00
#SBATCH --mem=32G
#SBATCH --output=slurm-%j.out

module load cuda   # ignored by us, kept in the body
python train.py --epochs 90
`,
    options: { ...PRICE, partitions: { gpu: "a100" } },
    expected: [{ name: "resnet50", instanceType: "a100", numInstances: 1, maxRunTimeHours: 4, maxPricePerHour: "$12.00", uploadCode: false }],
    warnings: [/--mem=32G: not enforced/],
  },
  {
    title: "multi-node torchrun, --gres with a type, short options",
    script: `#!/bin/bash
#SBATCH -J llama-ft
#SBATCH -N 4
#SBATCH --ntasks-per-node=1
#SBATCH --gres=gpu:h100:8
#SBATCH -t 2-00:00:00
#SBATCH --exclusive
#SBATCH --cpus-per-task=96
srun torchrun --nnodes=$SLURM_NNODES --node_rank=$SLURM_NODEID train.py
`,
    options: PRICE,
    expected: [{ name: "llama-ft", instanceType: "8xh100", numInstances: 4, maxRunTimeHours: 48 }],
    env: { SLURM_NTASKS_PER_NODE: "1", SLURM_GPUS_ON_NODE: "8", SLURM_JOB_NAME: "llama-ft" },
    warnings: [/--exclusive ignored: every FCP instance is exclusive/, /--cpus-per-task=96 ignored/],
  },
  {
    title: "array job with step and throttle, --gpus-per-node with a type",
    script: `#!/bin/bash
#SBATCH --job-name=sweep
#SBATCH --array=0-6:3%2
#SBATCH --gpus-per-node=a100:2
#SBATCH --time=90
#SBATCH --export=LR=0.001,WANDB_MODE=offline
python sweep.py --index $SLURM_ARRAY_TASK_ID
`,
    options: PRICE,
    expected: [
      { name: "sweep-0", instanceType: "2xa100", maxRunTimeHours: 1.5 },
      { name: "sweep-3", instanceType: "2xa100" },
      { name: "sweep-6", instanceType: "2xa100" },
    ],
    env: { LR: "0.001", WANDB_MODE: "offline", SLURM_ARRAY_TASK_COUNT: "3", SLURM_ARRAY_TASK_MAX: "6" },
    warnings: [/%2 throttle is not applied/],
  },
  {
    title: "--gpus total split over nodes, tesla_ gres spelling elsewhere, account and mail ignored",
    script: `#!/bin/bash -l
#SBATCH --nodes=2 --gpus=a100:16
#SBATCH --account=ml-team
#SBATCH --mail-type=END
#SBATCH --mail-user=me@example.com
echo hi
`,
    options: PRICE,
    expected: [{ name: "sbatch-job", instanceType: "8xa100", numInstances: 2 }],
    warnings: [/--account=ml-team ignored/, /--mail-type=END ignored: Flow sends no mail/, /--mail-user/],
  },
  {
    title: "gres spellings: gpu:tesla_a100:4 and an nvme gres beside it",
    script: `#!/bin/bash
#SBATCH --gres=nvme:1,gpu:tesla_a100:4
#SBATCH --job-name "quoted name"
nvidia-smi
`,
    options: PRICE,
    expected: [{ name: "quoted-name", instanceType: "4xa100" }],
  },
  {
    title: "no GPU model: default with a warning; lines after the first command are not directives",
    script: `#!/bin/bash
#SBATCH --gres=gpu:2
echo start
#SBATCH --nodes=8
`,
    options: { ...PRICE, file: "jobs/train.slurm" },
    expected: [{ name: "train", instanceType: "2xa100", numInstances: 1 }],
    warnings: [/no GPU model in the script/],
  },
];

describe("sbatch scripts → TaskConfig", () => {
  test.each(CASES.map((c) => [c.title, c] as const))("%s", (_title, c) => {
    const { tasks, warnings } = sbatchToTaskConfigs(c.script, c.options);
    expect(tasks).toHaveLength(c.expected.length);
    tasks.forEach((t, i) => {
      expect(t).toMatchObject(c.expected[i]);
      expect(t.entrypoint.kind).toBe("script");
      expect(t.env).toMatchObject({ SLURM_JOB_ID: expect.stringMatching(/^\d+$/), ...(c.env ?? {}) });
    });
    for (const w of c.warnings ?? []) expect(warnings.some((x) => w.test(x))).toBe(true);
  });

  test("array tasks get their own job ids and SLURM_ARRAY_TASK_ID; the body comes after the prelude", () => {
    const { tasks } = sbatchToTaskConfigs(CASES[2].script, PRICE);
    expect(tasks.map((t) => t.env.SLURM_ARRAY_TASK_ID)).toEqual(["0", "3", "6"]);
    expect(new Set(tasks.map((t) => t.env.SLURM_JOB_ID)).size).toBe(3);
    expect(new Set(tasks.map((t) => t.env.SLURM_ARRAY_JOB_ID)).size).toBe(1);
    const content = (tasks[0].entrypoint as { content: string }).content;
    expect(content.startsWith("#!/bin/bash\n")).toBe(true);
    expect(content.indexOf("SLURM_NODEID")).toBeLessThan(content.indexOf("python sweep.py"));
    expect(content).not.toMatch(/#SBATCH/);
  });

  test("the prelude derives the per-node variables from the cluster env and tees --output/--error (run in bash)", () => {
    const { tasks } = sbatchToTaskConfigs(
      `#!/bin/bash
#SBATCH --job-name=vars
#SBATCH --ntasks-per-node=4
#SBATCH --output=OUTDIR/%x-%j.out
#SBATCH --error=OUTDIR/%x-%j.err
echo "$SLURM_NNODES $SLURM_NODEID $SLURM_PROCID $SLURM_NTASKS $SLURM_JOB_NODELIST"
echo oops >&2
`,
      PRICE,
    );
    const dir = require("node:fs").mkdtempSync(require("node:path").join(require("node:os").tmpdir(), "sbatch-"));
    const content = (tasks[0].entrypoint as { content: string }).content.replace(/OUTDIR/g, dir);
    const out = execFileSync("bash", ["-c", content], {
      env: { PATH: process.env.PATH, ...tasks[0].env, FLOW_NUM_NODES: "3", FLOW_NODE_RANK: "2", FLOW_NODE_IPS: "10.0.0.1,10.0.0.2,10.0.0.3" },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    expect(out).toBe("3 2 8 12 10.0.0.1,10.0.0.2,10.0.0.3\n");
    const fs = require("node:fs");
    // tee runs in a process substitution; the files are complete once it exits.
    const id = tasks[0].env.SLURM_JOB_ID;
    const deadline = Date.now() + 10_000;
    while (!fs.readFileSync(`${dir}/vars-${id}.err`, "utf8").includes("oops") && Date.now() < deadline);
    expect(fs.readFileSync(`${dir}/vars-${id}.out`, "utf8")).toBe(out);
    expect(fs.readFileSync(`${dir}/vars-${id}.err`, "utf8")).toBe("oops\n");
  });

  test("unknown partitions, bad times and a missing price are refused with what to do", () => {
    expect(() => sbatchToTaskConfigs("#!/bin/bash\n#SBATCH -p big\necho\n", { ...PRICE, partitions: { gpu: "a100" } })).toThrow(/partition "big" has no instance type; the table maps gpu/);
    expect(() => sbatchToTaskConfigs("#!/bin/bash\n#SBATCH --time=soon\necho\n", PRICE)).toThrow(/"soon" is not a SLURM time/);
    expect(() => sbatchToTaskConfigs("#!/bin/bash\necho\n")).toThrow(/no limit price/);
  });

  test.each([
    ["30", 0.5], ["1:30:00", 1.5], ["45:00", 0.75], ["1-12", 36], ["2-06:30", 54.5], ["infinite", undefined],
  ])("time %s is %s hours", (v, h) => expect(parseSlurmTimeHours(v as string)).toBe(h));

  test.each([
    ["gpu:8", { count: 8, type: undefined }], ["gpu:a100:4", { type: "a100", count: 4 }], ["gpu:tesla_v100:2", { type: "v100", count: 2 }],
    ["gpu", { count: 1, type: undefined }], ["gpu:H100", { type: "h100", count: 1 }], ["nvme:1", undefined],
  ])("gres %s", (v, expected) => expect(parseGres(v as string)).toEqual(expected));
});
