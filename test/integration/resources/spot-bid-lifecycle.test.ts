// SpotBid, Volume and SshKey through the real dynamic-provider plugin against the emulator:
// full lifecycles, GitOps changes counted in API requests, drift, adoption, and destroy leaving
// nothing live.
import * as pulumi from "@pulumi/pulumi";
import { SpotBid, type SpotBidArgs } from "../../../src/resources/spot-bid";
import { SshKey } from "../../../src/resources/ssh-key";
import { Volume } from "../../../src/resources/volume";
import { fcpStack, liveBids, requestCount, type FcpStack } from "../../fixtures/resources/fcp-stack";

jest.setTimeout(180_000);

const BID = "urn:pulumi:test::fcp-test::pulumi-nodejs:dynamic/fcp:SpotBid::trainer";

function program(bid: Partial<SpotBidArgs> = {}) {
  return async () => {
    const key = new SshKey("ops");
    const volume = new Volume("data", { sizeGb: 50, interface: "file" });
    const trainer = new SpotBid("trainer", {
      instanceType: "a100",
      limitPrice: 15,
      instanceQuantity: 2,
      sshKeyIds: [key.keyId],
      volumeIds: [volume.volumeId],
      startupScript: "#!/bin/bash\necho hello\n",
      ...bid,
    });
    return {
      bidId: trainer.bidId,
      status: trainer.status,
      sshHosts: trainer.sshHosts,
      hourlyCost: trainer.hourlyCost,
      typeName: trainer.instanceTypeName,
      keyId: key.keyId,
      privateKey: key.privateKey,
      volumeId: volume.volumeId,
    };
  };
}

describe("SpotBid, Volume and SshKey lifecycle against the emulator", () => {
  let s: FcpStack;
  beforeAll(async () => {
    s = await fcpStack();
  });
  afterAll(async () => {
    await s?.close();
  });

  test("up creates a key, a volume and a running bid with SSH hosts", async () => {
    const result = await s.engine.up(program());
    expect(result.summary.create).toBe(4); // stack + 3
    const out = Object.fromEntries(Object.entries(result.outputs).map(([k, v]) => [k, v.value]));
    expect(out.status).toBe("running");
    expect(out.bidId).toMatch(/^bid_/);
    expect(out.typeName).toBe("a100-80gb.sxm.1x");
    expect(out.hourlyCost).toBe("$30.00");
    expect(out.sshHosts).toHaveLength(2);
    for (const host of out.sshHosts as string[]) expect(host).toMatch(/^127\.0\.\d+\.\d+:\d+$/);
    expect(result.outputs.privateKey.secret).toBe(true);
    expect(String(out.privateKey)).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----/);

    const [bid] = await liveBids(s.client);
    expect(bid).toMatchObject({ fid: out.bidId, instanceQuantity: 2, limitPrice: "$15.00", sshKeys: [out.keyId], volumes: [out.volumeId] });
    expect(bid.startupScript).toBe("#!/bin/bash\necho hello\n");
  });

  test("a second up with the same program changes nothing and sends no write", async () => {
    s.emulator.admin.clearRequests();
    const result = await s.engine.up(program());
    expect(result.summary).toMatchObject({ create: 0, update: 0, replace: 0, delete: 0 });
    const counts = s.emulator.admin.requests().counts;
    expect(Object.keys(counts).filter((k) => !k.startsWith("GET"))).toEqual([]);
  });

  test("equivalent spellings are no change: 1xa100 for a100, \"$15.00\" for 15", async () => {
    const result = await s.engine.preview(program({ instanceType: "1xa100", limitPrice: "$15.00" }));
    expect(result.ops.find((o) => o.urn === BID)).toMatchObject({ op: "same" });
  });

  test("limit price 15 → 20 is exactly one PATCH and no new bid", async () => {
    const before = (await liveBids(s.client)).map((b) => b.fid);
    s.emulator.admin.clearRequests();
    const result = await s.engine.up(program({ limitPrice: 20 }));
    expect(result.ops.find((o) => o.urn === BID)).toMatchObject({ op: "update", changedKeys: ["limitPrice"] });
    expect(requestCount(s.emulator, "PATCH /v2/spot/bids/{fid}")).toBe(1);
    expect(requestCount(s.emulator, "POST /v2/spot/bids")).toBe(0);
    expect(requestCount(s.emulator, "DELETE /v2/spot/bids/{fid}")).toBe(0);
    const live = await liveBids(s.client);
    expect(live.map((b) => b.fid)).toEqual(before);
    expect(live[0].limitPrice).toBe("$20.00");
    expect(result.outputs.hourlyCost.value).toBe("$40.00");
  });

  test("quantity 2 → 4 is one replace: the new bid is allocated before the old one is cancelled", async () => {
    const [old] = await liveBids(s.client);
    const preview = await s.engine.preview(program({ limitPrice: 20, instanceQuantity: 4, volumeIds: undefined }));
    expect(preview.ops.find((o) => o.urn === BID)).toMatchObject({ op: "replace", replaceKeys: expect.arrayContaining(["instanceQuantity"]) });

    s.emulator.admin.clearRequests();
    const result = await s.engine.up(program({ limitPrice: 20, instanceQuantity: 4, volumeIds: undefined }));
    expect(result.ops.filter((o) => o.urn === BID).map((o) => o.op)).toEqual(["replace"]);
    expect(requestCount(s.emulator, "POST /v2/spot/bids")).toBe(1);
    expect(requestCount(s.emulator, "DELETE /v2/spot/bids/{fid}")).toBe(1);

    const bids = await s.client.listBids();
    const replacement = bids.find((b) => b.fid === result.outputs.bidId.value)!;
    expect(replacement.instanceQuantity).toBe(4);
    expect(replacement.name).not.toBe(old.name);
    expect(bids.find((b) => b.fid === old.fid)!.status).toBe("cancelled");
    // Create-before-delete: the replacement was running before the old bid's cancel.
    expect(Date.parse(replacement.createdAt!)).toBeLessThanOrEqual(Date.parse(bids.find((b) => b.fid === old.fid)!.updatedAt!));
    expect((await liveBids(s.client)).map((b) => b.fid)).toEqual([replacement.fid]);
  });

  test("refresh sees a limit price changed outside Pulumi, and up puts it back with one PATCH", async () => {
    const [bid] = await liveBids(s.client);
    await s.client.updateBid(bid.fid, { limitPrice: 25 });
    await s.engine.refresh();
    const preview = await s.engine.preview(program({ limitPrice: 20, instanceQuantity: 4, volumeIds: undefined }));
    expect(preview.ops.find((o) => o.urn === BID)).toMatchObject({ op: "update", changedKeys: ["limitPrice"] });
    s.emulator.admin.clearRequests();
    await s.engine.up(program({ limitPrice: 20, instanceQuantity: 4, volumeIds: undefined }));
    expect(requestCount(s.emulator, "PATCH /v2/spot/bids/{fid}")).toBe(1);
    expect((await liveBids(s.client))[0].limitPrice).toBe("$20.00");
  });

  test("a bid cancelled outside Pulumi reads as gone, and the next up creates a new one", async () => {
    const [bid] = await liveBids(s.client);
    await s.client.cancelBid(bid.fid);
    const refreshed = await s.engine.refresh();
    expect(refreshed.ops.find((o) => o.urn === BID)).toMatchObject({ op: "delete" });
    expect((await s.engine.resources()).some((r) => r.urn === BID)).toBe(false);
    const result = await s.engine.up(program({ limitPrice: 20, instanceQuantity: 4, volumeIds: undefined }));
    expect(result.ops.find((o) => o.urn === BID)).toMatchObject({ op: "create" });
    expect(await liveBids(s.client)).toHaveLength(1);
  });

  test("destroy leaves no live bid, volume or key", async () => {
    await s.engine.destroy();
    expect(await liveBids(s.client)).toEqual([]);
    expect(await s.client.listVolumes()).toEqual([]);
    expect(await s.client.listSshKeys()).toEqual([]);
    const instances = await s.client.listInstances();
    expect(instances.filter((i) => i.status !== "terminated")).toEqual([]);
  });

  test("neither the API key nor the private key is in the state file or the plugin's output", async () => {
    const text = s.stateText();
    expect(text).not.toContain(s.emulator.apiKey);
    expect(text).not.toContain("PRIVATE KEY");
  });
});

describe("SpotBid __provider", () => {
  test("the serialized provider is under 4 KB", async () => {
    const s = await fcpStack();
    try {
      await s.engine.preview(async () => {
        new SpotBid("small", { instanceType: "a100", limitPrice: 5 });
      });
      const result = await s.engine.up(async () => {
        new SpotBid("small", { instanceType: "a100", limitPrice: 5, waitFor: "none" });
      });
      expect(result.summary.create).toBe(2);
      const bid = (await s.engine.resources()).find((r) => r.type === SpotBid.__pulumiType)!;
      const provider = bid.inputs.__provider as string;
      expect(typeof provider).toBe("string");
      expect(Buffer.byteLength(provider)).toBeLessThan(4096);
      await s.engine.destroy();
    } finally {
      await s.close();
    }
  });
});

// Keeps the unused-import linter honest: outputs are plain values in these programs.
void pulumi;
