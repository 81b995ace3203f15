// Multi-node rendezvous from a pre-written cluster.env, and the instance-side run-time limit.
import { buildStartupScript, parseStartupStatus, renderClusterEnv, type StartupSpec } from "../../../src/startup";
import { PROBE, readProbe, removeSandbox, runInSandbox, type SandboxOptions, type SandboxResult } from "./sandbox";

const sandboxes: string[] = [];
afterAll(async () => {
  for (const root of sandboxes) await removeSandbox(root);
});

async function run(spec: StartupSpec, options: SandboxOptions = {}): Promise<SandboxResult> {
  const result = await runInSandbox(buildStartupScript(spec).script, options);
  sandboxes.push(result.root);
  return result;
}
const status = (r: SandboxResult) => parseStartupStatus(r.readText("/var/lib/flow/status.json"));

const node1 = renderClusterEnv({ nodeRank: 1, numNodes: 2, mainIp: "10.0.0.1", nodeIps: ["10.0.0.1", "10.0.0.2"] });
const clusterSpec = (overrides: Partial<StartupSpec> = {}): StartupSpec => ({
  taskName: "ddp",
  cluster: { numNodes: 2, waitSeconds: 60 },
  run: { command: [PROBE], gpus: false },
  ...overrides,
});

const RENDEZVOUS = {
  FLOW_NODE_RANK: "1",
  FLOW_NUM_NODES: "2",
  FLOW_MAIN_IP: "10.0.0.1",
  FLOW_NODE_IPS: "10.0.0.1,10.0.0.2",
  MASTER_ADDR: "10.0.0.1",
  MASTER_PORT: "29500",
  NODE_RANK: "1",
  NODE_IPS: "10.0.0.1\n10.0.0.2",
};

describe("cluster", () => {
  test("exports the rendezvous variables from cluster.env to a host command, without waiting when it is there", async () => {
    const r = await run(clusterSpec(), { files: { "/var/lib/flow/cluster.env": node1 } });
    expect(r.exitCode).toBe(0);
    const env = readProbe(r)?.env;
    for (const [name, value] of Object.entries(RENDEZVOUS)) expect({ name, value: env?.get(name) }).toEqual({ name, value });
    expect(r.callsOf("sleep")).toEqual([]);
    expect(r.readText("/var/log/flow/startup.log")).toContain("node 1 of 2, main node 10.0.0.1");
  });

  test("passes them into a container, and a MASTER_PORT from the env wins", async () => {
    const r = await run(clusterSpec({ env: { MASTER_PORT: "12345" }, run: { image: "pytorch", command: [PROBE] } }), {
      files: { "/var/lib/flow/cluster.env": node1 },
    });
    expect(r.exitCode).toBe(0);
    const env = readProbe(r)?.env;
    expect(Object.fromEntries([...(env?.entries() ?? [])].filter(([k]) => k in RENDEZVOUS))).toEqual({ ...RENDEZVOUS, MASTER_PORT: "12345" });
  });

  test("waits a bounded time for cluster.env, then fails step cluster", async () => {
    const r = await run(clusterSpec({ cluster: { numNodes: 2, waitSeconds: 10 } }));
    expect(r.exitCode).toBe(1);
    expect(r.callsOf("sleep")).toEqual([["5"], ["5"]]);
    expect(status(r)).toMatchObject({ status: "failed", step: "cluster", exit_code: 1 });
    expect(readProbe(r)).toBeUndefined();
  });

  test("refuses a cluster.env written for a task of another size", async () => {
    const other = renderClusterEnv({ nodeRank: 3, numNodes: 4, mainIp: "10.0.0.1", nodeIps: ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"] });
    const r = await run(clusterSpec(), { files: { "/var/lib/flow/cluster.env": other } });
    expect(status(r)).toMatchObject({ status: "failed", step: "cluster" });
    expect(r.readText("/var/log/flow/startup.log")).toContain("does not describe this 2-node task");
  });

  test("reads cluster.env as data: no code in it runs, unknown keys are ignored", async () => {
    const hostile = [
      "FLOW_NODE_RANK=0",
      "FLOW_NUM_NODES=2",
      "FLOW_MAIN_IP=$(touch /pwned-cluster)",
      "FLOW_NODE_IPS=10.0.0.1,10.0.0.2",
      "LD_PRELOAD=/tmp/evil.so",
      "touch /pwned-line",
      "",
    ].join("\n");
    const r = await run(clusterSpec(), { files: { "/var/lib/flow/cluster.env": hostile } });
    expect(r.exitCode).toBe(0);
    expect(r.exists("/pwned-cluster")).toBe(false);
    expect(r.exists("/pwned-line")).toBe(false);
    const env = readProbe(r)?.env;
    expect(env?.get("MASTER_ADDR")).toBe("$(touch /pwned-cluster)");
    expect(env?.has("LD_PRELOAD")).toBe(false);
  });
});

describe("maxRunTimeHours", () => {
  test("arms a systemd timer that powers the instance off", async () => {
    const r = await run({ taskName: "limited", run: { command: [PROBE], gpus: false }, maxRunTimeHours: 2 });
    expect(r.exitCode).toBe(0);
    expect(r.callsOf("systemd-run")).toEqual([["--quiet", "--unit=flow-deadline", "--on-active=7200s", "/sbin/shutdown", "-h", "now"]]);
    expect(r.callsOf("shutdown")).toEqual([]);
  });

  test("falls back to shutdown +minutes when systemd-run is unavailable", async () => {
    const r = await run({ taskName: "limited", run: { command: [PROBE], gpus: false }, maxRunTimeHours: 0.25 }, { exitCodes: { "systemd-run": [1] } });
    expect(r.exitCode).toBe(0);
    expect(r.callsOf("systemd-run")[0]).toContain("--on-active=900s");
    expect(r.callsOf("shutdown")).toEqual([["-h", "+15"]]);
  });

  test("is armed while the task runs, not after it", async () => {
    // The task blocks until systemd-run is called; a script that waited for the task before
    // arming the timer would hang here until the sandbox's timeout.
    const r = await run(
      { taskName: "limited", run: { command: ["bash", "-c", "read -r word </tmp/gate; [ \"$word\" = armed ]"], gpus: false }, maxRunTimeHours: 1 },
      { fifos: ["/tmp/gate"], files: { "/stubs/systemd-run": "#!/bin/bash\necho armed >/tmp/gate\n" }, timeoutMs: 20_000 },
    );
    expect(r.signal).toBeNull();
    expect(r.exitCode).toBe(0);
    expect(status(r)).toMatchObject({ status: "succeeded" });
  });
});
