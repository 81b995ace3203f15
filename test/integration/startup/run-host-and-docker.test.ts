// The script run for real: the code arrives byte for byte in /workspace, the command runs there
// with exactly the env and arguments given, and the status file says how it went.
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync, mkdirSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildStartupScript, packageCode, parseStartupStatus, type PackagedCode, type StartupSpec } from "../../../src/startup";
import { HOSTILE_ARGS, HOSTILE_VALUES } from "../../fixtures/startup/hostile-values";
import { PROBE, readProbe, removeSandbox, runInSandbox, sandboxUnavailableReason, type SandboxResult } from "./sandbox";

const TIMESTAMPED = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ /;
/** What bash and the sandbox add to a host command's environment; nothing else may appear. */
const HOST_ENV_EXTRAS = new Set(["PATH", "HOME", "LANG", "PWD", "OLDPWD", "SHLVL", "_"]);

const sandboxes: string[] = [];
let codeDir: string;
let code: PackagedCode;
const codeFiles: Record<string, Buffer> = {
  "train.py": Buffer.from("print('hello from the task')\n"),
  "data/weights.bin": randomBytes(1500),
  "src/日本語.txt": Buffer.from("unicode name\n"),
  "src/with space/and'quote.txt": Buffer.from("odd name\n"),
  "empty.txt": Buffer.alloc(0),
};

beforeAll(async () => {
  codeDir = mkdtempSync(join(tmpdir(), "sandbox-code-"));
  for (const [p, content] of Object.entries(codeFiles)) {
    mkdirSync(join(codeDir, p, ".."), { recursive: true });
    writeFileSync(join(codeDir, p), content);
  }
  writeFileSync(join(codeDir, "run.sh"), "#!/bin/bash\necho run\n");
  chmodSync(join(codeDir, "run.sh"), 0o755);
  code = await packageCode(codeDir);
});
afterAll(async () => {
  rmSync(codeDir, { recursive: true, force: true });
  for (const root of sandboxes) await removeSandbox(root);
});

async function run(spec: StartupSpec, options: Parameters<typeof runInSandbox>[1] = {}): Promise<SandboxResult> {
  const built = buildStartupScript(spec);
  const result = await runInSandbox(built.script, options);
  sandboxes.push(result.root);
  return result;
}

function expectCodeArrived(result: SandboxResult): void {
  for (const [p, content] of Object.entries(codeFiles)) {
    expect({ path: p, same: result.read(`/workspace/${p}`).equals(content) }).toEqual({ path: p, same: true });
  }
  expect(result.read("/workspace/run.sh").toString()).toBe("#!/bin/bash\necho run\n");
}

test("the sandbox can be made on this machine (root, unshare)", () => {
  expect(sandboxUnavailableReason()).toBeUndefined();
});

describe("a command on the host", () => {
  let result: SandboxResult;
  const env = { ...HOSTILE_VALUES, CUDA_VISIBLE_DEVICES: "0,1" };
  beforeAll(async () => {
    result = await run({ taskName: "host-task", env, code, run: { command: [PROBE, ...HOSTILE_ARGS] } });
  });

  test("succeeds and says so in the status file", () => {
    expect(result.exitCode).toBe(0);
    const status = parseStartupStatus(result.readText("/var/lib/flow/status.json"));
    expect(status).toMatchObject({ task: "host-task", status: "succeeded", step: "done", exit_code: 0 });
    expect(status.finished_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  test("delivers the code byte for byte, executable bit included", () => {
    expectCodeArrived(result);
  });

  test("runs the command in /workspace with exactly the arguments given", () => {
    const probe = readProbe(result);
    expect(probe?.cwd).toBe("/workspace");
    expect(probe?.args).toEqual(HOSTILE_ARGS);
  });

  test("gives the command exactly the env given, hostile values included, and nothing of the script's own", () => {
    const probe = readProbe(result);
    for (const [name, value] of Object.entries(env)) expect({ name, value: probe?.env.get(name) }).toEqual({ name, value });
    const unexpected = [...(probe?.env.keys() ?? [])].filter((k) => !(k in env) && !HOST_ENV_EXTRAS.has(k));
    expect(unexpected).toEqual([]);
  });

  test("never runs what is inside an env value or an argument", () => {
    for (const p of ["/pwned-dollar", "/pwned-backtick", "/pwned-arg"]) {
      expect(result.exists(p)).toBe(false);
      expect(existsSync(p)).toBe(false);
    }
  });

  test("timestamps every line of the startup log and sends the task's output to task.log", () => {
    const lines = result.readText("/var/log/flow/startup.log").trimEnd().split("\n");
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(line).toMatch(TIMESTAMPED);
    expect(lines.some((l) => l.endsWith("== code"))).toBe(true);
    expect(result.readText("/var/log/flow/task.log")).toContain(`probe ran with ${HOSTILE_ARGS.length} arguments`);
    expect(result.stdout).toContain("== run");
  });

  test("logs the GPUs and touches no disk, docker or power", () => {
    expect(result.callsOf("nvidia-smi")).toEqual([["-L"]]);
    expect(result.calls.map((c) => c.name).filter((n) => n !== "nvidia-smi")).toEqual([]);
  });
});

describe("a command in a container", () => {
  let result: SandboxResult;
  const env = { ...HOSTILE_VALUES, PATH: "/opt/venv/bin:/usr/local/bin:/usr/bin:/bin" };
  beforeAll(async () => {
    result = await run(
      {
        taskName: "docker-task",
        env,
        code,
        volumes: [{ interface: "file", volumeId: "vol_shared", mountPath: "/shared" }],
        run: { image: "nvcr.io/nvidia/pytorch:24.01-py3", command: [PROBE, ...HOSTILE_ARGS] },
      },
    );
  });

  test("succeeds", () => {
    expect(result.exitCode).toBe(0);
    expect(parseStartupStatus(result.readText("/var/lib/flow/status.json"))).toMatchObject({ status: "succeeded", exit_code: 0 });
  });

  test("pulls the image once and runs it with GPUs, host network, code and volumes bound, in /workspace", () => {
    expect(result.callsOf("docker")[0]).toEqual(["pull", "-q", "nvcr.io/nvidia/pytorch:24.01-py3"]);
    const runArgs = result.callsOf("docker")[1];
    expect(runArgs.slice(0, 8)).toEqual(["run", "--name", "flow-task", "--gpus", "all", "--network", "host", "--ipc"]);
    const joined = runArgs.join(" ");
    expect(joined).toContain("-v /workspace:/workspace -v /shared:/shared -w /workspace nvcr.io/nvidia/pytorch:24.01-py3");
    expect(runArgs.slice(-HOSTILE_ARGS.length - 1)).toEqual([PROBE, ...HOSTILE_ARGS]);
  });

  test("the container sees exactly the env given (docker's own PATH and HOME aside) and the code", () => {
    const probe = readProbe(result);
    expect(probe?.cwd).toBe("/workspace");
    expect(probe?.args).toEqual(HOSTILE_ARGS);
    const expected = new Map(Object.entries({ HOME: "/root", ...env }));
    expect(probe?.env).toEqual(expected);
    expectCodeArrived(result);
  });
});

test("a shell-string command runs through bash in the working directory given", async () => {
  const result = await run({
    taskName: "shell",
    code,
    run: { command: `cd src && ${PROBE} "$(cat ../train.py | head -c 5)" && echo done-ok`, workingDir: "/workspace" },
  });
  expect(result.exitCode).toBe(0);
  expect(readProbe(result)).toMatchObject({ cwd: "/workspace/src", args: ["print"] });
  expect(result.readText("/var/log/flow/task.log")).toContain("done-ok");
});

test("a working directory that does not exist yet is created", async () => {
  const result = await run({ taskName: "wd", run: { command: [PROBE], workingDir: "/srv/job/outputs", gpus: false } });
  expect(result.exitCode).toBe(0);
  expect(readProbe(result)?.cwd).toBe("/srv/job/outputs");
  expect(result.callsOf("nvidia-smi")).toEqual([]);
});
