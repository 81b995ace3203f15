// A failing step is named in the status file with its exit code, and nothing after it runs.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildStartupScript, packageCode, parseStartupStatus, type PackagedCode, type StartupSpec } from "../../../src/startup";
import { PROBE, readProbe, removeSandbox, runInSandbox, type SandboxOptions, type SandboxResult } from "./sandbox";

const sandboxes: string[] = [];
const dirs: string[] = [];
let code: PackagedCode;
beforeAll(async () => {
  const d = mkdtempSync(join(tmpdir(), "fail-code-"));
  dirs.push(d);
  writeFileSync(join(d, "train.py"), "print(1)\n");
  code = await packageCode(d);
});
afterAll(async () => {
  for (const root of sandboxes) await removeSandbox(root);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function runScript(script: string, options: SandboxOptions = {}): Promise<SandboxResult> {
  const result = await runInSandbox(script, options);
  sandboxes.push(result.root);
  return result;
}
const run = (spec: StartupSpec, options: SandboxOptions = {}): Promise<SandboxResult> => runScript(buildStartupScript(spec).script, options);
const status = (r: SandboxResult) => parseStartupStatus(r.readText("/var/lib/flow/status.json"));
const sha = (b: Buffer): string => createHash("sha256").update(b).digest("hex");

/** A gzipped tar whose members GNU tar was told to keep as given (-P). */
function evilPackage(member: string): { bytes: Buffer; sha256: string } {
  const d = mkdtempSync(join(tmpdir(), "evil-"));
  dirs.push(d);
  mkdirSync(join(d, "payload"));
  writeFileSync(join(d, "payload", "x.txt"), "escaped\n");
  const archive = join(d, "evil.tgz");
  const r = spawnSync("tar", ["-czPf", archive, "-C", d, `--transform=s,^payload/x.txt,${member},`, "payload/x.txt"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`tar failed: ${r.stderr}`);
  const bytes = readFileSync(archive);
  return { bytes, sha256: sha(bytes) };
}

test("a failing task is reported as step run with the task's own exit code", async () => {
  const r = await run({ taskName: "fails", env: { PROBE_EXIT_CODE: "3" }, code, run: { command: [PROBE], gpus: false } });
  expect(r.exitCode).toBe(3);
  expect(status(r)).toMatchObject({ task: "fails", status: "failed", step: "run", exit_code: 3 });
  expect(status(r).finished_at).toBeTruthy();
  expect(r.readText("/var/log/flow/startup.log")).toMatch(/task exited with code 3\n.*== failed in step run, exit code 3/);
});

test("a command that does not exist fails step run with 127", async () => {
  const r = await run({ taskName: "missing", run: { command: ["no-such-program"], gpus: false } });
  expect(status(r)).toMatchObject({ status: "failed", step: "run", exit_code: 127 });
  expect(r.readText("/var/log/flow/task.log")).toMatch(/no-such-program/);
});

test("a code payload altered in transit fails its sha256 check: nothing is extracted, nothing runs", async () => {
  const { script } = buildStartupScript({ taskName: "tampered", code, run: { command: [PROBE], gpus: false } });
  const b64 = code.bytes.toString("base64");
  const flipped = b64.slice(0, 40) + (b64[40] === "A" ? "B" : "A") + b64.slice(41);
  const r = await runScript(script.replace(b64, flipped));
  expect(r.exitCode).toBe(1);
  expect(status(r)).toMatchObject({ status: "failed", step: "code", exit_code: 1 });
  expect(r.exists("/workspace/train.py")).toBe(false);
  expect(readProbe(r)).toBeUndefined();
  expect(r.readText("/var/log/flow/startup.log")).toMatch(/sha256sum -c/);
});

describe.each([
  ["a .. path", "../escaped.txt", "/escaped.txt"],
  ["a deeper .. path", "a/../../escaped.txt", "/escaped.txt"],
  ["an absolute path", "/abs-escaped.txt", "/abs-escaped.txt"],
])("a code package with %s", (_what, member, landing) => {
  test("is refused before anything is extracted", async () => {
    const r = await run({ taskName: "evil", code: evilPackage(member), run: { command: [PROBE], gpus: false } });
    expect(r.exitCode).toBe(1);
    expect(status(r)).toMatchObject({ status: "failed", step: "code" });
    expect(r.exists(landing)).toBe(false);
    expect(r.readText("/var/log/flow/startup.log")).toContain("unsafe paths in the code package");
    expect(r.readText("/var/log/flow/startup.log")).toContain(member);
    expect(readProbe(r)).toBeUndefined();
  });
});

describe("docker pull", () => {
  const spec: StartupSpec = { taskName: "pull", run: { image: "registry.example/team/train:1", command: [PROBE] } };

  test("is retried with growing pauses until it works", async () => {
    const r = await run(spec, { exitCodes: { docker: [1, 1, 0, 0] } });
    expect(r.exitCode).toBe(0);
    expect(r.callsOf("docker").map((a) => a[0])).toEqual(["pull", "pull", "pull", "run"]);
    expect(r.callsOf("sleep")).toEqual([["15"], ["30"]]);
  });

  test("gives up after five attempts and fails step run without starting anything", async () => {
    const r = await run(spec, { exitCodes: { docker: [1] } });
    expect(r.exitCode).toBe(1);
    expect(r.callsOf("docker").map((a) => a[0])).toEqual(["pull", "pull", "pull", "pull", "pull"]);
    expect(r.callsOf("sleep")).toHaveLength(4);
    expect(status(r)).toMatchObject({ status: "failed", step: "run", exit_code: 1 });
    expect(r.readText("/var/log/flow/startup.log")).toContain("docker pull registry.example/team/train:1 failed 5 times");
  });

  test("a container that cannot start fails step run with docker's exit code", async () => {
    const r = await run(spec, { exitCodes: { docker: [0, 125] } });
    expect(status(r)).toMatchObject({ status: "failed", step: "run", exit_code: 125 });
  });
});

test("the status file says running with the current step while the script is still going", async () => {
  // The task reads the status file itself: at that moment the script is waiting for it.
  const r = await run({ taskName: "midway", run: { command: ["bash", "-c", "cp /var/lib/flow/status.json /var/lib/flow/seen.json"], gpus: false } });
  expect(r.exitCode).toBe(0);
  expect(parseStartupStatus(r.readText("/var/lib/flow/seen.json"))).toMatchObject({ status: "running", step: "run", exit_code: null, finished_at: null });
});
