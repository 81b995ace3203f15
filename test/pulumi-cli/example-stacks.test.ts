// Acceptance: both example stacks through the real Pulumi CLI against the emulator: up, outputs,
// no-op up, in-place price update, replacement on instance count, policy-blocked preview, refresh
// after an outside cancel, export without plaintext credentials, destroy to an empty emulator.
import * as path from "node:path";
import { FcpClient, TERMINAL_BID_STATUSES, closeSharedFcpClients } from "pulumi-fcp";
import { EMULATOR_DIALECTS, startEmulator, type RunningEmulator } from "pulumi-fcp/emulator";
import { PulumiWorkspace, REPO_ROOT, findPulumiBin } from "./pulumi-cli";

interface StackCase {
  name: string;
  dir: string;
  price: { key: string; from: number; to: number };
  hostsOutput: string;
  instanceCount?: { key: string; from: number; to: number };
}

const STACKS: StackCase[] = [
  { name: "dev-box", dir: "examples/stacks/dev-box", price: { key: "maxPricePerHour", from: 3, to: 4 }, hostsOutput: "sshHost" },
  {
    name: "training-cluster",
    dir: "examples/stacks/training-cluster",
    price: { key: "maxPricePerHour", from: 30, to: 25 },
    hostsOutput: "sshHosts",
    instanceCount: { key: "numInstances", from: 2, to: 3 },
  },
];

const bin = findPulumiBin(); // throws, failing the suite, when there is no CLI

const CASES = STACKS.flatMap((stack) => EMULATOR_DIALECTS.map((dialect) => ({ ...stack, dialect })));

describe.each(CASES)("$name through the Pulumi CLI ($dialect dialect)", (stack) => {
  let emulator: RunningEmulator;
  let client: FcpClient;
  let cli: PulumiWorkspace;

  const liveBids = async () => (await client.listBids()).filter((b) => !TERMINAL_BID_STATUSES.includes(b.status));
  const requests = () => emulator.admin.requests().counts;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, provisionSeconds: 1, dialect: stack.dialect });
    client = new FcpClient({ apiKey: emulator.apiKey, apiUrl: emulator.url, project: "my-project" });
    cli = new PulumiWorkspace(bin, path.join(REPO_ROOT, stack.dir), { FCP_POLL_INTERVAL_MS: "200" });
    await cli.initStack("acceptance", emulator, {
      [stack.price.key]: String(stack.price.from),
      ...(stack.instanceCount ? { [stack.instanceCount.key]: String(stack.instanceCount.from) } : {}),
    });
  });

  afterAll(async () => {
    if (cli) await cli.removeStack("acceptance");
    await client?.close();
    await closeSharedFcpClients();
    await emulator?.close();
    cli?.dispose();
  });

  test("pulumi up creates the stack; outputs hold SSH hosts and a secret private key", async () => {
    await cli.ok(["up", "--yes", "--skip-preview"]);
    expect(await liveBids()).toHaveLength(1);

    const hidden = JSON.parse(await cli.ok(["stack", "output", "--json"])) as Record<string, unknown>;
    expect(hidden.privateKey).toBe("[secret]");
    const hosts = [hidden[stack.hostsOutput]].flat();
    expect(hosts.length).toBeGreaterThan(0);
    for (const h of hosts) expect(String(h)).toMatch(/^[\w.-]+(:\d+)?$/);

    const shown = JSON.parse(await cli.ok(["stack", "output", "--json", "--show-secrets"])) as Record<string, unknown>;
    expect(String(shown.privateKey)).toContain("PRIVATE KEY");
  });

  test("a second up changes nothing", async () => {
    emulator.admin.clearRequests();
    await cli.ok(["up", "--yes", "--expect-no-changes"]);
    const writes = Object.keys(requests()).filter((k) => !k.startsWith("GET "));
    expect(writes).toEqual([]);
  });

  test("a price change is one in-place update: one PATCH", async () => {
    await cli.ok(["config", "set", stack.price.key, String(stack.price.to)]);
    const preview = await cli.ok(["preview", "--json"]);
    const steps = (JSON.parse(preview) as { steps?: { op: string; urn: string }[] }).steps ?? [];
    const bidSteps = steps.filter((s) => s.urn.includes("fcp:SpotBid"));
    expect(bidSteps.map((s) => s.op)).toEqual(["update"]);
    emulator.admin.clearRequests();
    await cli.ok(["up", "--yes", "--skip-preview"]);
    expect(requests()["PATCH /v2/spot/bids/{fid}"]).toBe(1);
    expect(requests()["POST /v2/spot/bids"]).toBeUndefined();
    expect(requests()["DELETE /v2/spot/bids/{fid}"]).toBeUndefined();
  });

  if (stack.instanceCount) {
    const count = stack.instanceCount;
    test("an instance-count change is one create-before-delete replacement", async () => {
      const [before] = await liveBids();
      await cli.ok(["config", "set", count.key, String(count.to)]);
      const preview = (JSON.parse(await cli.ok(["preview", "--json"])) as { steps?: { op: string; urn: string }[] }).steps ?? [];
      expect(preview.filter((s) => s.urn.includes("fcp:SpotBid")).map((s) => s.op)).toEqual(["replace"]);
      emulator.admin.clearRequests();
      const up = await cli.ok(["up", "--yes", "--skip-preview"]);
      // The order the engine ran the steps in: the new bid first, then the old one cancelled.
      const bidLines = up.split("\n").filter((l) => l.includes("fcp:SpotBid"));
      const created = bidLines.findIndex((l) => l.includes("created replacement"));
      const deleted = bidLines.findIndex((l) => l.includes("deleted original"));
      expect({ created: created >= 0, deleted: deleted >= 0, createdFirst: created < deleted }).toEqual({
        created: true,
        deleted: true,
        createdFirst: true,
      });
      // One bid placed (see the refresh test for the dialect "auto").
      expect(emulator.admin.requests().responses["POST /v2/spot/bids 201"]).toBe(1);
      expect(requests()["DELETE /v2/spot/bids/{fid}"]).toBe(1);
      const after = await liveBids();
      expect(after).toHaveLength(1);
      expect(after[0].fid).not.toBe(before.fid);
      expect(after[0].instanceQuantity).toBe(count.to);
    });

    test("pulumi preview --policy-pack blocks an over-budget change with the mandatory policy", async () => {
      await cli.ok(["config", "set", count.key, "4"]);
      await cli.ok(["config", "set", stack.price.key, "30"]);
      const r = await cli.run([
        "preview",
        "--policy-pack",
        path.join(REPO_ROOT, "policy-pack"),
        "--policy-pack-config",
        path.join(REPO_ROOT, "examples/gitops/policy.json"),
      ]);
      expect(r.status).not.toBe(0);
      expect(r.stdout).toContain("[mandatory]  max-stack-hourly-spend");
      expect(r.stdout).toContain("above the budget of $100.00 per hour");
      await cli.ok(["config", "set", count.key, String(count.to)]);
      await cli.ok(["config", "set", stack.price.key, String(stack.price.to)]);
    });
  }

  test("refresh after a bid is cancelled outside shows it gone; the next up recreates it", async () => {
    const [bid] = await liveBids();
    await client.cancelBid(bid.fid);
    const refresh = await cli.ok(["refresh", "--yes", "--skip-preview"]);
    expect(refresh).toMatch(/fcp:SpotBid.*deleted/);
    emulator.admin.clearRequests();
    await cli.ok(["up", "--yes", "--skip-preview"]);
    // One bid placed (with the dialect "auto", a new plugin process may first send the seed's
    // shape to a live-dialect server: refused with a 422, so nothing is placed twice).
    expect(emulator.admin.requests().responses["POST /v2/spot/bids 201"]).toBe(1);
    expect(await liveBids()).toHaveLength(1);
  });

  test("pulumi stack export holds no plaintext API key or private key", async () => {
    const exported = await cli.ok(["stack", "export"]);
    expect(exported).toContain("fcp:SpotBid");
    expect(exported).not.toContain(emulator.apiKey);
    expect(exported).not.toContain("PRIVATE KEY");
  });

  test("pulumi destroy leaves the emulator empty", async () => {
    await cli.ok(["destroy", "--yes", "--skip-preview"]);
    expect(await liveBids()).toEqual([]);
    expect(await client.listVolumes()).toEqual([]);
    expect(await client.listSshKeys()).toEqual([]);
  });
});
