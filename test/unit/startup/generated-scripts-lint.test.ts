// Every kind of script the builder makes must pass `bash -n` and `shellcheck -S warning`.
// shellcheck is a Debian package (.ci/run installs it); without it these tests fail, on purpose.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { buildStartupScript, type BuildStartupScriptOptions, type StartupSpec } from "../../../src/startup";
import { HOSTILE_ARGS, HOSTILE_VALUES } from "../../fixtures/startup/hostile-values";

const tarGz = gzipSync(Buffer.alloc(1024));
const code = { bytes: tarGz, sha256: createHash("sha256").update(tarGz).digest("hex") };
const manyEnv = Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`OPTION_${i}`, `a fairly long value ${i} that gzip can shrink`]));

const cases: [string, StartupSpec, BuildStartupScriptOptions?][] = [
  ["host argv", { taskName: "host-argv", run: { command: ["python", "train.py", "--lr", "3e-4"] } }],
  ["host shell string", { taskName: "host-shell", run: { command: "pip install -r requirements.txt && python train.py", workingDir: "/workspace/src" } }],
  ["hostile env and args", { taskName: "hostile", env: HOSTILE_VALUES, run: { command: ["/opt/probe", ...HOSTILE_ARGS] } }],
  ["docker with its own command", { taskName: "docker-default", run: { image: "nvcr.io/nvidia/pytorch:24.01-py3" } }],
  ["docker without gpus", { taskName: "docker-cpu", env: { A: "1" }, run: { image: "python:3.12", command: "python -V", gpus: false } }],
  [
    "everything",
    {
      taskName: "everything",
      env: { ...HOSTILE_VALUES, MASTER_PORT: "12345" },
      volumes: [
        { interface: "file", volumeId: "vol_shared", mountPath: "/shared", fsType: "nfs4", source: "10.0.0.5:/export/shared" },
        { interface: "file", volumeId: "vol_cache", mountPath: "/mnt/cache" },
      ],
      code,
      cluster: { numNodes: 4, waitSeconds: 600 },
      run: { image: "nvcr.io/nvidia/pytorch:24.01-py3", command: ["torchrun", "--nnodes=4", "train.py"] },
      maxRunTimeHours: 0.5,
    },
  ],
  [
    "block volumes on one node",
    {
      taskName: "volumes",
      volumes: [
        { interface: "block", volumeId: "vol_a", mountPath: "/data", devicePath: "/dev/vdb", waitSeconds: 0 },
        { interface: "block", volumeId: "vol_b", mountPath: "/var/lib/docker" },
      ],
      code,
      run: { command: ["bash", "run.sh"] },
      maxRunTimeHours: 168,
    },
  ],
  ["compressed on purpose", { taskName: "forced", env: HOSTILE_VALUES, code, run: { command: "true" } }, { strategy: "compressed" }],
  [
    "delivered code and secret env on a host cluster",
    {
      taskName: "delivered",
      env: { A: "1" },
      delivery: { codeSha256: code.sha256, secretEnvNames: ["HF_TOKEN", "WANDB_API_KEY"], waitSeconds: 60 },
      cluster: { numNodes: 3 },
      run: { command: ["python3", "rendezvous.py"] },
    },
  ],
  [
    "secret env in docker",
    { taskName: "docker-secret", delivery: { secretEnvNames: ["HF_TOKEN"] }, run: { image: "python:3.12", command: "python -V" } },
  ],
  ["compressed because large", { taskName: "large", env: manyEnv, run: { command: "true" } }],
];

function shellcheckVersion(): string {
  const r = spawnSync("shellcheck", ["--version"], { encoding: "utf8" });
  if (r.error || r.status !== 0) {
    throw new Error(
      "shellcheck is not installed, so generated scripts cannot be checked. Install it: apt-get install -y shellcheck (.ci/run does this).",
    );
  }
  return r.stdout;
}

let dir: string;
const files: { title: string; file: string }[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "startup-lint-"));
  cases.forEach(([title, spec, options], i) => {
    const built = buildStartupScript(spec, options);
    const file = join(dir, `${i}.sh`);
    writeFileSync(file, built.script);
    files.push({ title: `${title} (${built.strategy})`, file });
    if (built.strategy === "compressed") {
      const lines = built.script.split("\n");
      const payload = lines[lines.findIndex((l) => l.startsWith("base64 -d <<")) + 1];
      const inner = join(dir, `${i}-inner.sh`);
      writeFileSync(inner, gunzipSync(Buffer.from(payload, "base64")));
      files.push({ title: `${title} (inner script)`, file: inner });
    }
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("the table covers both strategies", () => {
  expect(files.some((f) => f.title.includes("(inline)"))).toBe(true);
  expect(files.some((f) => f.title.includes("(compressed)"))).toBe(true);
  expect(files.filter((f) => f.title.includes("compressed because large (compressed)"))).toHaveLength(1);
});

test("bash -n accepts every generated script", () => {
  for (const { title, file } of files) {
    const r = spawnSync("bash", ["-n", file], { encoding: "utf8" });
    expect({ title, status: r.status, stderr: r.stderr }).toEqual({ title, status: 0, stderr: "" });
  }
});

test("shellcheck -S warning finds nothing in any generated script", () => {
  expect(shellcheckVersion()).toMatch(/version: \d/);
  const r = spawnSync("shellcheck", ["-S", "warning", "-s", "bash", "-f", "gcc", ...files.map((f) => f.file)], { encoding: "utf8" });
  expect(r.stdout).toBe("");
  expect(r.status).toBe(0);
});

test("shellcheck does flag a broken script, so the check above can fail", () => {
  shellcheckVersion();
  const bad = join(dir, "bad.sh");
  writeFileSync(bad, '#!/bin/bash\nfor f in $(ls *.txt); do rm $f; done\ncd /tmp\n[ $x == 1 ]\n');
  const r = spawnSync("shellcheck", ["-S", "warning", "-s", "bash", bad], { encoding: "utf8" });
  expect(r.status).not.toBe(0);
});
