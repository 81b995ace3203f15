// The self-extracting form must behave exactly like the plain script it carries.
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildStartupScript, packageCode, parseStartupStatus, STARTUP_SCRIPT_LIMIT, type PackagedCode, type StartupSpec } from "../../../src/startup";
import { HOSTILE_VALUES } from "../../fixtures/startup/hostile-values";
import { PROBE, readProbe, removeSandbox, runInSandbox, type SandboxOptions, type SandboxResult } from "./sandbox";

const sandboxes: string[] = [];
let codeDir: string;
let code: PackagedCode;
beforeAll(async () => {
  codeDir = mkdtempSync(join(tmpdir(), "compressed-code-"));
  mkdirSync(join(codeDir, "pkg"));
  writeFileSync(join(codeDir, "pkg", "model.bin"), randomBytes(800));
  writeFileSync(join(codeDir, "train.py"), "print('x')\n");
  code = await packageCode(codeDir);
});
afterAll(async () => {
  rmSync(codeDir, { recursive: true, force: true });
  for (const root of sandboxes) await removeSandbox(root);
});

async function runScript(script: string, options: SandboxOptions = {}): Promise<SandboxResult> {
  const result = await runInSandbox(script, options);
  sandboxes.push(result.root);
  return result;
}

const sandboxOptions: SandboxOptions = {
  files: { "/dev/vdb": "", "/var/lib/flow/cluster.env": "FLOW_NODE_RANK=0\nFLOW_NUM_NODES=2\nFLOW_MAIN_IP=10.1.0.1\nFLOW_NODE_IPS=10.1.0.1,10.1.0.2\n" },
  symlinks: { "/dev/disk/by-id/virtio-vol_data": "../../vdb" },
};

function spec(): StartupSpec {
  return {
    taskName: "same",
    env: HOSTILE_VALUES,
    volumes: [{ interface: "file", volumeId: "vol_data", mountPath: "/data" }],
    code,
    cluster: { numNodes: 2 },
    run: { image: "pytorch", command: [PROBE, "arg one", "$(x)"] },
    maxRunTimeHours: 3,
  };
}

/** Everything observable about a run, minus timestamps and the unpacked copy of the script. */
function observed(r: SandboxResult) {
  const status = parseStartupStatus(r.readText("/var/lib/flow/status.json"));
  const probe = readProbe(r);
  return {
    exitCode: r.exitCode,
    status: { ...status, started_at: "-", updated_at: "-", finished_at: "-" },
    calls: r.calls,
    probe: probe && { cwd: probe.cwd, args: probe.args, env: [...probe.env.entries()].sort() },
    workspace: ["train.py", "pkg/model.bin"].map((p) => r.read(`/workspace/${p}`).toString("base64")),
    fstab: r.readText("/etc/fstab"),
    startupLog: r.readText("/var/log/flow/startup.log").replace(/^\S+ /gm, ""),
    taskLog: r.readText("/var/log/flow/task.log"),
  };
}

test("the compressed strategy runs the same as the inline one", async () => {
  const inline = buildStartupScript(spec(), { strategy: "inline" });
  const compressed = buildStartupScript(spec(), { strategy: "compressed" });
  expect(inline.strategy).toBe("inline");
  expect(compressed.strategy).toBe("compressed");
  const a = await runScript(inline.script, sandboxOptions);
  const b = await runScript(compressed.script, sandboxOptions);
  expect(a.exitCode).toBe(0);
  expect(observed(b)).toEqual(observed(a));
  expect(b.readText("/var/lib/flow/startup.sh")).toBe(inline.script);
});

test("a script too large for inline is compressed under the limit and still runs", async () => {
  const env: Record<string, string> = {};
  for (let i = 0; i < 300; i++) env[`HPARAM_${i}`] = `learning-rate-schedule-${i % 7}-warmup`;
  const built = buildStartupScript({ taskName: "big", env, code, run: { command: [PROBE], gpus: false } });
  expect(built.inlineBytes).toBeGreaterThan(STARTUP_SCRIPT_LIMIT);
  expect(built.strategy).toBe("compressed");
  expect(built.bytes).toBeLessThanOrEqual(STARTUP_SCRIPT_LIMIT);
  const r = await runScript(built.script);
  expect(r.exitCode).toBe(0);
  expect(readProbe(r)?.env.get("HPARAM_299")).toBe("learning-rate-schedule-5-warmup");
});

test("a compressed script whose payload does not match its sha256 runs nothing and says so", async () => {
  const { script } = buildStartupScript(spec(), { strategy: "compressed" });
  const tampered = script.replace(/(if ! echo ")([0-9a-f])/, (_m, pre: string, c: string) => `${pre}${c === "0" ? "1" : "0"}`);
  expect(tampered).not.toBe(script);
  const r = await runScript(tampered, sandboxOptions);
  expect(r.exitCode).toBe(1);
  expect(r.calls).toEqual([]);
  expect(parseStartupStatus(r.readText("/var/lib/flow/status.json"))).toMatchObject({ status: "failed", step: "unpack", exit_code: 1 });
  expect(readProbe(r)).toBeUndefined();
});
