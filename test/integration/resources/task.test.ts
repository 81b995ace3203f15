// The Task construct and the example stacks through the real plugin against the emulator: what
// users write, deployed, changed the GitOps way, and destroyed.
import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { utils } from "ssh2";
import { packageCode } from "../../../src/startup/package-code";
import { Task } from "../../../src/resources/task";
import { LocalEngine } from "../../../src/testing";
import { trainingCluster } from "../../../examples/stacks/training-cluster/program";
import { devBox } from "../../../examples/stacks/dev-box/program";
import { fcpStack, liveBids, requestCount, type FcpStack } from "../../fixtures/resources/fcp-stack";
import { expectDeploymentFailure as failure } from "../../fixtures/expect-failure";
import { waitForFileOverSsh } from "../../fixtures/bootstrap/ssh";

jest.setTimeout(240_000);

const values = (outputs: Record<string, { value: unknown }>) => Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.value]));

/** The plain script inside a bid's startup script, unpacking the compressed form. */
function innerScript(script: string): string {
  const packed = /<<'([^']+)'\n([A-Za-z0-9+/=\n]+)\n\1\n[\s\S]*exec \/bin\/bash/.exec(script);
  return packed ? gunzipSync(Buffer.from(packed[2].replace(/\n/g, ""), "base64")).toString("utf8") : script;
}


describe("examples/stacks/training-cluster", () => {
  let s: FcpStack;
  const BID = "urn:pulumi:test::training-cluster::fcp:index:Task$pulumi-nodejs:dynamic/fcp:SpotBid::llama-finetune-bid";
  const BOOTSTRAP = "urn:pulumi:test::training-cluster::fcp:index:Task$pulumi-nodejs:dynamic/fcp:ClusterBootstrap::llama-finetune-bootstrap";
  /** The same stack with other config, as a pull request would change Pulumi.<stack>.yaml. */
  const withConfig = (config: Record<string, string>) =>
    new LocalEngine({
      project: "training-cluster",
      stack: "test",
      stateFile: s.stateFile,
      secretsPassphrase: "test passphrase",
      cwd: path.resolve(__dirname, "../../.."),
      config: {
        "fcp:apiKey": { value: s.emulator.apiKey, secret: true },
        "fcp:apiUrl": s.emulator.url,
        "fcp:project": "my-project",
        "training-cluster:launcher": "rendezvous",
        ...config,
      },
      env: { HOME: s.dir, FCP_POLL_INTERVAL_MS: "100" },
    });

  beforeAll(async () => {
    s = await fcpStack({
      engine: { project: "training-cluster", config: { "training-cluster:hfToken": { value: "hf_exampletoken1234567890", secret: true }, "training-cluster:launcher": "rendezvous" } },
    });
  });
  afterAll(() => s?.close());

  test("deploys: two running 8xh100 nodes with SSH commands and the worst-case cost", async () => {
    const result = await s.engine.up(async () => trainingCluster());
    const out = values(result.outputs);
    expect(out.status).toBe("running");
    expect(out.instanceType).toBe("h100-80gb.sxm.8x");
    expect(out.hourlyCost).toBe("$60.00");
    expect(out.sshHosts).toHaveLength(2);
    for (const cmd of out.sshCommands as string[]) expect(cmd).toMatch(/^ssh -p \d+ ubuntu@127\.0\.\d+\.\d+$/);
    expect(result.outputs.privateKey.secret).toBe(true);
    expect(result.ops.filter((o) => o.op === "create").map((o) => o.type).sort()).toEqual([
      "fcp:index:Task",
      "pulumi-nodejs:dynamic/fcp:ClusterBootstrap",
      "pulumi-nodejs:dynamic/fcp:SpotBid",
      "pulumi-nodejs:dynamic/fcp:SshKey",
      "pulumi-nodejs:dynamic/fcp:Volume",
      "pulumi:pulumi:Stack",
    ]);
  });

  test("the nodes met: the bootstrap ranked them and rank 0 of the rendezvous heard from rank 1", async () => {
    const out = values((await s.engine.preview(async () => trainingCluster())).outputs);
    const nodes = out.nodes as Array<{ rank: number; host: string; privateIp: string; state: string }>;
    expect(nodes.map((n) => [n.rank, n.state])).toEqual([[0, "ready"], [1, "ready"]]);
    if (s.emulator.instances.mode !== "sandbox") return;
    const seen = await Promise.all(nodes.map(async (n) => JSON.parse(await waitForFileOverSsh(n.host, String(out.privateKey), "/workspace/rendezvous.json"))));
    expect(seen.map((x) => [x.rank, x.main_ip])).toEqual([[0, nodes[0].privateIp], [1, nodes[0].privateIp]]);
    expect(seen[0].received).toEqual([1]);
    expect(seen[0].hf_token_sha256).toBe(createHash("sha256").update("hf_exampletoken1234567890").digest("hex"));
  });

  test("the bid carries the script the Task built: within the limit, with the code and the cluster wait", async () => {
    const [bid] = await liveBids(s.client);
    const out = values((await s.engine.preview(async () => trainingCluster())).outputs);
    expect(bid.startupScript!.length).toBeLessThanOrEqual(10_000);
    expect(Buffer.byteLength(bid.startupScript!)).toBe(out.startupScriptBytes);
    const script = innerScript(bid.startupScript!);
    const code = await packageCode(path.resolve(__dirname, "../../../examples/stacks/training-cluster/workload"));
    expect(script).toContain(code.sha256);
    expect(script).toContain(code.bytes.toString("base64").slice(0, 200));
    expect(script).toContain("/var/lib/flow/cluster.env");
    expect(script).toContain("rendezvous.py");
    expect(script).not.toContain("hf_exampletoken1234567890");
    expect(bid.volumes).toEqual(out.volumeIds);
  });

  test("the generated private key opens the key pair whose public half is in the bid", async () => {
    const [bid] = await liveBids(s.client);
    const keys = await s.client.listSshKeys();
    const registered = keys.find((k) => k.fid === bid.sshKeys[0])!;
    const out = values((await s.engine.preview(async () => trainingCluster())).outputs);
    const priv = utils.parseKey(String(out.privateKey));
    if (priv instanceof Error) throw priv;
    const pub = utils.parseKey(registered.publicKey!);
    if (pub instanceof Error) throw pub;
    expect(priv.getPublicSSH().equals(pub.getPublicSSH())).toBe(true);
    const data = Buffer.from("proof");
    expect(pub.verify(data, priv.sign(data))).toBe(true);
  });

  test("a secret env value keeps the state free of it", async () => {
    expect(s.stateText()).not.toContain("hf_exampletoken1234567890");
    expect(s.stateText()).not.toContain(s.emulator.apiKey);
  });

  test("a PR raising numInstances 2 → 4 previews as one replace of the bid and its bootstrap, nothing else", async () => {
    const pr = withConfig({ "training-cluster:numInstances": "4", "training-cluster:hfToken": { value: "hf_exampletoken1234567890", secret: true } as never });
    try {
      const preview = await pr.preview(async () => trainingCluster());
      // The component's recorded args change too; of the real resources only the bid does.
      const changed = preview.ops.filter((o) => o.op !== "same" && o.type !== "fcp:index:Task");
      expect(changed).toEqual([
        expect.objectContaining({ urn: BID, op: "replace", replaceKeys: expect.arrayContaining(["instanceQuantity"]) }),
        expect.objectContaining({ urn: BOOTSTRAP, op: "replace", replaceKeys: expect.arrayContaining(["bidId"]) }),
      ]);
      expect(preview.outputs.hourlyCost.value).toBe("$120.00");
    } finally {
      await pr.close();
    }
  });

  test("a PR raising maxPricePerHour 30 → 35 is one in-place update: one PATCH", async () => {
    const pr = withConfig({ "training-cluster:maxPricePerHour": "35", "training-cluster:hfToken": { value: "hf_exampletoken1234567890", secret: true } as never });
    try {
      const preview = await pr.preview(async () => trainingCluster());
      const changed = preview.ops.filter((o) => o.op !== "same" && o.type !== "fcp:index:Task");
      expect(changed).toEqual([expect.objectContaining({ urn: BID, op: "update", changedKeys: ["limitPrice"] })]);
      s.emulator.admin.clearRequests();
      await pr.up(async () => trainingCluster());
      expect(requestCount(s.emulator, "PATCH /v2/spot/bids/{fid}")).toBe(1);
      expect(requestCount(s.emulator, "POST /v2/spot/bids")).toBe(0);
    } finally {
      await pr.close();
    }
  });

  test("destroy leaves no live bid, volume or key", async () => {
    await s.engine.destroy();
    expect(await liveBids(s.client)).toEqual([]);
    expect(await s.client.listVolumes()).toEqual([]);
    expect(await s.client.listSshKeys()).toEqual([]);
  });
});

describe("examples/stacks/dev-box", () => {
  test("deploys one a100 with a block volume and an SSH command, and destroys cleanly", async () => {
    const s = await fcpStack({ engine: { project: "dev-box" } });
    try {
      const out = values((await s.engine.up(async () => devBox())).outputs);
      expect(out.sshCommand).toMatch(/^ssh -p \d+ ubuntu@127\.0\.\d+\.\d+$/);
      expect(out.hourlyCost).toBe("$3.00");
      const [volume] = await s.client.listVolumes();
      expect(volume.interface).toBe("block");
      await s.engine.destroy();
      expect(await liveBids(s.client)).toEqual([]);
      expect(await s.client.listVolumes()).toEqual([]);
    } finally {
      await s.close();
    }
  });
});

describe("Task", () => {
  let s: FcpStack;
  beforeAll(async () => {
    s = await fcpStack();
  });
  afterAll(() => s?.close());

  test("minGpuMemoryGb picks the cheapest type on offer under maxPricePerHour", async () => {
    const result = await s.engine.up(async () => {
      const t = new Task("pick", { minGpuMemoryGb: 80, maxPricePerHour: 3, uploadCode: false, command: ["nvidia-smi"], waitFor: "allocated" });
      return { type: t.instanceTypeName };
    });
    // a100 1x at $2.40 beats h100 pcie at $3.20 in us-central1-a.
    expect(result.outputs.type.value).toBe("a100-80gb.sxm.1x");
    await s.engine.destroy();
  });

  test("nothing on offer under the price fails with the cheapest price named, and leaves nothing", async () => {
    const err = await failure(
      s.engine.up(async () => {
        new Task("broke", { minGpuMemoryGb: 80, maxPricePerHour: 1, uploadCode: false, command: ["true"] });
      }),
    );
    expect(err.message).toMatch(/cheapest offer .* costs \$2\.40\/hour, above the maximum \$1\.00/);
    await s.engine.destroy();
    expect(await liveBids(s.client)).toEqual([]);
  });

  test.each([
    [{ environment: { A: "1" } }, /did you mean env/],
    [{ max_price: 10 }, /max_price_per_hour|maxPricePerHour/],
    [{ instanceType: "gpu.nvidia.a100" }, /write "a100"/],
    [{ numInstances: 2, volumes: [{ sizeGb: 10, mountPath: "/data" }] }, /cannot attach a block volume to a bid of 2 instances/],
    [{ maxPricePerHour: undefined }, /maxPricePerHour: is required/],
  ])("a TaskConfig mistake %j stops the program with a suggestion, before any API call", async (change, message) => {
    s.emulator.admin.clearRequests();
    const err = await failure(
      s.engine.up(async () => {
        new Task("bad", { instanceType: "a100", maxPricePerHour: 3, uploadCode: false, command: ["true"], ...(change as object) });
      }),
    );
    expect(err.message).toMatch(message);
    expect(requestCount(s.emulator, "POST /v2/spot/bids")).toBe(0);
  });

  test("a script that would carry the FCP API key is refused before any bid, without showing the key", async () => {
    s.emulator.admin.clearRequests();
    const err = await failure(
      s.engine.up(async () => {
        new Task("leaky", { instanceType: "a100", maxPricePerHour: 3, uploadCode: false, command: ["true"], env: { MY_TOKEN: `x${s.emulator.apiKey}x` } });
      }),
    );
    expect(err.message).toMatch(/env\.MY_TOKEN/);
    expect(err.message).not.toContain(s.emulator.apiKey);
    expect(requestCount(s.emulator, "POST /v2/spot/bids")).toBe(0);
  });

  test("the component's recorded args hold no secret and no script", async () => {
    await s.engine.up(async () => {
      new Task("quiet", {
        instanceType: "a100",
        maxPricePerHour: 3,
        uploadCode: false,
        command: ["true"],
        env: { PLAIN: "visible", TOKEN: pulumi.secret("s3cr3t-value-xyz") },
        waitFor: "none",
      });
    });
    const task = (await s.engine.resources()).find((r) => r.type === "fcp:index:Task")!;
    expect(JSON.stringify(task.inputs)).toContain("visible");
    expect(JSON.stringify(task.inputs)).toContain("[secret]");
    expect(s.stateText()).not.toContain("s3cr3t-value-xyz");
    await s.engine.destroy();
  });
});
