// A multi-node Task that really starts: the emulator boots each instance in a sandbox with its own
// address and SSH server, the ClusterBootstrap reaches them over SSH through the real provider
// plugin, and a small rendezvous program (rank 0 listens on MASTER_ADDR:MASTER_PORT, the others
// connect) proves every node got the same cluster. Then a 3 → 2 change, idempotence, refresh,
// host-key pinning, secrets kept out of scripts, state and logs, and destroy.
import { createServer } from "node:net";
import { createHash } from "node:crypto";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { Task } from "../../../src/resources/task";
import { LocalEngine } from "../../../src/testing";
import { read as readBootstrap } from "../../../src/provider/cluster-bootstrap-provider";
import { runOverSsh, waitForFileOverSsh } from "../../fixtures/bootstrap/ssh";
import { fcpStack, liveBids, type FcpStack } from "../../fixtures/resources/fcp-stack";

jest.setTimeout(600_000);

const CODE_DIR = path.resolve(__dirname, "../../../examples/stacks/training-cluster/workload");
const HF_TOKEN = "hf_secretvalue_9f8e7d6c5b4a3210";
const BOOTSTRAP_TYPE = "pulumi-nodejs:dynamic/fcp:ClusterBootstrap";

/** A port free on loopback now: MASTER_PORT must not clash with other emulators on this machine. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface Seen {
  rank: number;
  nodes: number;
  main_ip: string;
  node_ips: string[];
  hf_token_sha256: string;
  received?: number[];
}

interface NodeOut {
  instanceId: string;
  rank: number;
  host: string;
  privateIp: string;
  state: string;
  readyAt?: string;
}

describe("a 3-node Task: cluster bootstrap over SSH, rendezvous, 3 → 2, destroy", () => {
  let s: FcpStack;
  let masterPort: number;
  const program = (numInstances: number) => async () => {
    const task = new Task("ring", {
      instanceType: "a100",
      region: "us-central1-a",
      numInstances,
      maxPricePerHour: 3,
      codeDir: CODE_DIR,
      command: ["python3", "rendezvous.py"],
      env: { MASTER_PORT: String(masterPort) },
      secretEnv: { HF_TOKEN: pulumi.secret(HF_TOKEN) },
      bootstrapTimeoutSeconds: 300,
    });
    return { bidId: task.bidId, nodes: task.nodes, clusterReadyAt: task.clusterReadyAt, privateKey: task.privateKey };
  };
  const engineWith = () =>
    new LocalEngine({
      project: "fcp-test",
      stack: "test",
      stateFile: s.stateFile,
      secretsPassphrase: "test passphrase",
      cwd: path.resolve(__dirname, "../../.."),
      config: { "fcp:apiKey": { value: s.emulator.apiKey, secret: true }, "fcp:apiUrl": s.emulator.url, "fcp:project": "my-project", "fcp:region": "us-central1-a" },
      env: { HOME: s.dir, FCP_POLL_INTERVAL_MS: "100" },
    });
  const logs: string[] = [];

  async function rendezvous(nodes: NodeOut[], key: string): Promise<Seen[]> {
    return Promise.all(nodes.map(async (n) => JSON.parse(await waitForFileOverSsh(n.host, key, "/workspace/rendezvous.json")) as Seen));
  }

  beforeAll(async () => {
    masterPort = await freePort();
    s = await fcpStack({ emulator: { instances: "sandbox", provisionSeconds: 0.3 } });
    expect(s.emulator.instances.mode).toBe("sandbox");
  });
  afterAll(() => s?.close());

  test("up: three nodes ranked by instance id, each with cluster.env, the secret file and the code; rank 0 receives {1, 2}", async () => {
    const result = await s.engine.up(program(3));
    logs.push(result.pluginStdout, result.pluginStderr, JSON.stringify(result.diagnostics));
    const nodes = result.outputs.nodes.value as NodeOut[];
    const key = result.outputs.privateKey.value as string;
    expect(nodes.map((n) => n.rank)).toEqual([0, 1, 2]);
    expect(nodes.map((n) => n.instanceId)).toEqual([...nodes.map((n) => n.instanceId)].sort());
    for (const n of nodes) expect(n).toMatchObject({ state: "ready", privateIp: expect.stringMatching(/^127\.0\.\d+\.\d+$/), readyAt: expect.any(String) });
    expect(typeof result.outputs.clusterReadyAt.value).toBe("string");
    expect(result.pluginStdout).toMatch(/ClusterBootstrap: .* 3 node\(s\) ready/);

    const seen = await rendezvous(nodes, key);
    const mainIp = nodes[0].privateIp;
    seen.forEach((x, i) => {
      expect(x).toMatchObject({ rank: i, nodes: 3, main_ip: mainIp, node_ips: nodes.map((n) => n.privateIp) });
      expect(x.hf_token_sha256).toBe(createHash("sha256").update(HF_TOKEN).digest("hex"));
    });
    expect(seen[0].received).toEqual([1, 2]);

    // cluster.env has every name; the secret file is root-only 0600.
    const env = await runOverSsh(nodes[1].host, key, "cat /var/lib/flow/cluster.env; stat -c '%a %U' /var/lib/flow/secret.env");
    expect(env).toContain("FLOW_NODE_RANK=1\nFLOW_NUM_NODES=3\n");
    expect(env).toContain(`MASTER_ADDR=${mainIp}\nMASTER_PORT=${masterPort}\nNODE_RANK=1\nNODE_IPS=${nodes.map((n) => n.privateIp).join(",")}`);
    expect(env).toContain("600 root");
    const status = JSON.parse(await runOverSsh(nodes[0].host, key, "for i in $(seq 600); do grep -q succeeded /var/lib/flow/status.json && break; sleep 0.1; done; cat /var/lib/flow/status.json"));
    expect(status).toMatchObject({ status: "succeeded", exit_code: 0 });
  });

  test("a second up with the same instances changes nothing and opens no SSH session", async () => {
    const again = await s.engine.up(program(3));
    logs.push(again.pluginStdout, again.pluginStderr);
    expect(again.ops.filter((o) => o.op !== "same")).toEqual([]);
    expect(again.pluginStdout).not.toMatch(/ClusterBootstrap/);
  });

  test("refresh reads each node's status.json over SSH; a changed host key on the same instance is an error naming the host", async () => {
    const refreshed = await s.engine.refresh();
    logs.push(refreshed.pluginStdout, refreshed.pluginStderr);
    const bootstrap = (await s.engine.resources()).find((r) => r.type === BOOTSTRAP_TYPE)!;
    const nodes = bootstrap.outputs.nodes as unknown as NodeOut[];
    expect(nodes.map((n) => n.state)).toEqual(["succeeded", "succeeded", "succeeded"]);
    expect(bootstrap.outputs.failedNodes).toEqual([]);

    // The provider itself, as the plugin would call it, with a pin that is not the host's key.
    const props = plainOutputs(bootstrap.outputs);
    const hostKeys = props.hostKeys as Record<string, string>;
    expect(Object.values(hostKeys).every((k) => k.startsWith("SHA256:"))).toBe(true);
    const first = nodes[0];
    const forged = { ...props, hostKeys: { ...hostKeys, [first.instanceId]: "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" } };
    await expect(readBootstrap(String(bootstrap.id), forged)).rejects.toThrow(new RegExp(`host key of instance ${first.instanceId} \\(${first.host.replace(/\./g, "\\.")}\\) changed`));
  });

  test("nothing in plaintext: no bid's startup script, state entry or log line holds the API key or a secretEnv value", async () => {
    const bids = await s.client.listBids();
    expect(bids.length).toBeGreaterThan(0);
    for (const bid of bids) {
      expect(bid.startupScript ?? "").not.toContain(HF_TOKEN);
      expect(bid.startupScript ?? "").not.toContain(s.emulator.apiKey);
      expect(bid.startupScript ?? "").toContain("/var/lib/flow/secret.env");
    }
    expect(s.stateText()).not.toContain(HF_TOKEN);
    expect(s.stateText()).not.toContain(s.emulator.apiKey);
    expect(s.stateText()).not.toMatch(/BEGIN OPENSSH PRIVATE KEY/);
    for (const text of logs) {
      expect(text).not.toContain(HF_TOKEN);
      expect(text).not.toContain(s.emulator.apiKey);
    }
    const requests = JSON.stringify(s.emulator.admin.requests());
    expect(requests).not.toContain(HF_TOKEN);
    // The instances' own logs: the startup log never saw the value.
    const nodes = ((await s.engine.resources()).find((r) => r.type === BOOTSTRAP_TYPE)!.outputs.nodes as unknown as NodeOut[]);
    const key = (await s.engine.resources()).find((r) => r.type === "pulumi-nodejs:dynamic/fcp:SshKey")!.outputs.privateKey as unknown as { value: string };
    const onNode = await runOverSsh(nodes[0].host, key.value, "cat /var/log/flow/startup.log /var/log/foundry/startup_script.log /var/lib/foundry/startup_script.sh 2>/dev/null; true");
    expect(onNode.length).toBeGreaterThan(0);
    expect(onNode).not.toContain(HF_TOKEN);
  });

  test("a pull request 3 → 2 replaces the bid and the bootstrap; the rendezvous succeeds again with two nodes", async () => {
    const pr = engineWith();
    try {
      const before = (await s.engine.resources()).find((r) => r.type === BOOTSTRAP_TYPE)!;
      const result = await pr.up(program(2));
      logs.push(result.pluginStdout, result.pluginStderr);
      const replaced = result.ops.filter((o) => o.op === "replace").map((o) => o.type).sort();
      expect(replaced).toEqual([BOOTSTRAP_TYPE, "pulumi-nodejs:dynamic/fcp:SpotBid"]);
      const nodes = result.outputs.nodes.value as NodeOut[];
      expect(nodes.map((n) => n.rank)).toEqual([0, 1]);
      const oldIds = (before.outputs.nodes as unknown as NodeOut[]).map((n) => n.instanceId);
      expect(nodes.some((n) => oldIds.includes(n.instanceId))).toBe(false);
      const seen = await rendezvous(nodes, result.outputs.privateKey.value as string);
      expect(seen.map((x) => [x.rank, x.nodes, x.main_ip])).toEqual([[0, 2, nodes[0].privateIp], [1, 2, nodes[0].privateIp]]);
      expect(seen[0].received).toEqual([1]);
      expect(await liveBids(s.client)).toHaveLength(1);
    } finally {
      await pr.close();
    }
  });

  test("destroy leaves no live bid, key or running instance", async () => {
    await s.engine.destroy();
    expect(await liveBids(s.client)).toEqual([]);
    expect(await s.client.listSshKeys()).toEqual([]);
    await s.emulator.instances.fleet!.settled();
    const state = await s.emulator.admin.state();
    expect(state.instances.filter((i: { status: string }) => i.status !== "terminated")).toEqual([]);
    expect(await s.engine.resources()).toEqual([]);
  });
});

/** State outputs as the plugin gets them: secrets unwrapped. */
function plainOutputs(outputs: Record<string, unknown>): Record<string, unknown> {
  const unwrap = (v: unknown): unknown => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      if ("4dabf18193072939515e22adb298388d" in o && "value" in o) return unwrap(o.value);
      return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, unwrap(x)]));
    }
    return Array.isArray(v) ? v.map(unwrap) : v;
  };
  return unwrap(outputs) as Record<string, unknown>;
}

describe("a re-allocated bid (preempted, then given new instances)", () => {
  let s: FcpStack;
  let masterPort: number;
  const program = async () => {
    const task = new Task("realloc", {
      instanceType: "a100",
      region: "us-central1-b",
      numInstances: 2,
      maxPricePerHour: 3,
      codeDir: CODE_DIR,
      command: ["python3", "rendezvous.py"],
      env: { MASTER_PORT: String(masterPort) },
    });
    return { bidId: task.bidId, nodes: task.nodes, privateKey: task.privateKey };
  };
  beforeAll(async () => {
    masterPort = await freePort();
    s = await fcpStack({ emulator: { instances: "sandbox", provisionSeconds: 0.3 } });
  });
  afterAll(() => s?.close());

  test("after a refresh, the next up runs the bootstrap again on the new instances and they meet", async () => {
    const first = await s.engine.up(program);
    const bidId = first.outputs.bidId.value as string;
    const oldIds = (first.outputs.nodes.value as NodeOut[]).map((n) => n.instanceId);
    const a100 = (await s.client.listInstanceTypes()).find((t) => t.name === "a100-80gb.sxm.1x")!.fid;
    await s.emulator.admin.setMarket({ instance_type: a100, region: "us-central1-b", price: "$5.00" });
    await s.emulator.admin.setMarket({ instance_type: a100, region: "us-central1-b", price: "$2.00" });
    const deadline = Date.now() + 120_000;
    for (;;) {
      const live = (await s.emulator.admin.state()).instances.filter((i: { bid: string; status: string; fid: string; boot?: { state: string } }) => i.bid === bidId && i.status !== "terminated" && !oldIds.includes(i.fid));
      if (live.length === 2 && live.every((i: { status: string }) => i.status === "running")) break;
      if (Date.now() > deadline) throw new Error("the bid was not re-allocated");
      await new Promise((r) => setTimeout(r, 50));
    }
    await s.engine.refresh();
    const again = await s.engine.up(program);
    const op = again.ops.find((o) => o.type === BOOTSTRAP_TYPE)!;
    expect(op).toMatchObject({ op: "replace", replaceKeys: ["instances"] });
    expect(again.outputs.bidId.value).toBe(bidId);
    const nodes = again.outputs.nodes.value as NodeOut[];
    expect(nodes.some((n) => oldIds.includes(n.instanceId))).toBe(false);
    const seen = await Promise.all(nodes.map(async (n) => JSON.parse(await waitForFileOverSsh(n.host, again.outputs.privateKey.value as string, "/workspace/rendezvous.json")) as Seen));
    expect(seen.map((x) => [x.rank, x.main_ip])).toEqual([[0, nodes[0].privateIp], [1, nodes[0].privateIp]]);
    expect(seen[0].received).toEqual([1]);
    await s.engine.destroy();
    expect(await liveBids(s.client)).toEqual([]);
  });
});
