// Money safety under failure: a bid that never allocates stays tracked and is cancelled by
// destroy; injected 503s, 429s and lost answers never make a second bid or an orphan; adoption
// takes over without creating; secrets stay out of state, plugin output and errors.
import { SpotBid } from "../../../src/resources/spot-bid";
import { SshKey } from "../../../src/resources/ssh-key";
import { Volume } from "../../../src/resources/volume";
import { fcpStack, liveBids, requestCount, type FcpStack } from "../../fixtures/resources/fcp-stack";
import { expectDeploymentFailure as failure } from "../../fixtures/expect-failure";
import { generateEd25519KeyPair } from "../../../src/ssh/generate-key-pair";

jest.setTimeout(240_000);


describe("a bid that never allocates within its deadline", () => {
  let s: FcpStack;
  beforeAll(async () => {
    s = await fcpStack();
    // The market clears above the limit: the bid waits forever.
    await s.emulator.admin.setMarket({ instance_type: "a100", region: "us-central1-a", price: 50 });
  });
  afterAll(() => s?.close());

  const program = async () => {
    new SpotBid("stuck", { instanceType: "a100", limitPrice: 10, readyTimeoutMinutes: 0.02 });
  };

  test("up fails, and the bid stays in state as failed with its id", async () => {
    const err = await failure(s.engine.up(program));
    expect(err.message).toMatch(/SpotBid::stuck/);
    expect(err.message).toMatch(/is still pending after 0\.02 minutes/);
    const [bid] = await liveBids(s.client);
    expect(bid.status).toBe("pending");
    const stuck = (await s.engine.resources()).find((r) => r.name === "stuck")!;
    expect(stuck.id).toBe(bid.fid);
    expect(stuck.initErrors?.[0]).toMatch(/still pending/);
  });

  test("the next up waits again through update, and creates nothing", async () => {
    s.emulator.admin.clearRequests();
    await failure(s.engine.up(program));
    expect(requestCount(s.emulator, "POST /v2/spot/bids")).toBe(0);
    expect(await liveBids(s.client)).toHaveLength(1);
  });

  test("destroy cancels it", async () => {
    await s.engine.destroy();
    expect(await liveBids(s.client)).toEqual([]);
  });
});

/** Re-checks a condition every 10 ms until it holds or the deadline passes. */
async function until(condition: () => boolean, deadlineMs: number): Promise<void> {
  const stopAt = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > stopAt) throw new Error(`condition not met within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("preempted while starting", () => {
  test("a bid preempted before it runs is reported with its id, not forgotten", async () => {
    const s = await fcpStack({ emulator: { provisionSeconds: 3600 } });
    try {
      const up = s.engine.up(async () => {
        new SpotBid("racy", { instanceType: "a100", limitPrice: 5, readyTimeoutMinutes: 2 });
      });
      // The provider lists a bid's instances only once it has seen the bid allocated: wait for
      // that request, then outbid the bid while it is still provisioning.
      await until(() => requestCount(s.emulator, "GET /v2/instances") > 0, 60_000);
      await s.emulator.admin.setMarket({ instance_type: "a100", region: "us-central1-a", price: 9 });
      const err = await failure(up);
      expect(err.message).toMatch(/preempted/);
      const racy = (await s.engine.resources()).find((r) => r.name === "racy")!;
      expect(racy.id).toMatch(/^bid_/);
      await s.engine.destroy();
      expect(await liveBids(s.client)).toEqual([]);
    } finally {
      await s.close();
    }
  });
});

describe("20 bids under 10% injected 503s, 429s and lost answers", () => {
  test("no duplicate bid and no orphan", async () => {
    const s = await fcpStack({ engine: { parallel: 10 } });
    try {
      await s.emulator.admin.setMarket({ instance_type: "a100", region: "us-central1-a", capacity: 100 });
      s.emulator.admin.setFaults({
        seed: 11,
        routes: ["POST /v2/spot/bids", "GET /v2/spot/bids", "GET /v2/instances", "DELETE /v2/spot/bids/{fid}"],
        errors: { rate: 0.1, statuses: [503] },
        rateLimit: { rate: 0.1, retryAfterSeconds: 0 },
        failAfterWrite: { rate: 0.1 },
      });
      const program = async () => {
        for (let i = 0; i < 20; i++) new SpotBid(`worker-${i}`, { instanceType: "a100", limitPrice: 5, waitFor: "allocated" });
      };
      await s.engine.up(program);
      const fired = s.emulator.admin.faults();
      expect(JSON.stringify(fired)).toMatch(/failAfterWrite/);

      s.emulator.admin.setFaults({});
      const live = await liveBids(s.client);
      expect(live).toHaveLength(20);
      expect(new Set(live.map((b) => b.name)).size).toBe(20);
      const tracked = (await s.engine.resources()).filter((r) => r.type === SpotBid.__pulumiType).map((r) => r.id).sort();
      expect(tracked).toEqual(live.map((b) => b.fid).sort());

      await s.engine.destroy();
      expect(await liveBids(s.client)).toEqual([]);
    } finally {
      await s.close();
    }
  });
});

describe("adoption", () => {
  test("adoptId takes over an existing bid, volume and key without creating any", async () => {
    const s = await fcpStack();
    try {
      const pair = generateEd25519KeyPair("handmade");
      const key = await s.client.createSshKey({ name: "handmade", publicKey: pair.publicKey });
      const volume = await s.client.createVolume({ name: "handmade", sizeGb: 10, interface: "file" });
      const bid = await s.client.createBid({ name: "handmade", instanceType: "a100", limitPrice: 5, sshKeys: [key.fid], volumes: [volume.fid] });
      s.emulator.admin.clearRequests();
      const program = (limitPrice: number, quantity = 1) => async () => {
        const k = new SshKey("key", { publicKey: pair.publicKey, adoptId: key.fid });
        const v = new Volume("vol", { sizeGb: 10, interface: "file", adoptId: volume.fid });
        const b = new SpotBid("bid", { instanceType: "1xa100", limitPrice, instanceQuantity: quantity, sshKeyIds: [k.keyId], volumeIds: [v.volumeId], adoptId: bid.fid });
        return { bidId: b.bidId };
      };
      const result = await s.engine.up(program(5));
      expect(result.outputs.bidId.value).toBe(bid.fid);
      expect(requestCount(s.emulator, "POST /v2/spot/bids")).toBe(0);
      expect(requestCount(s.emulator, "POST /v2/volumes")).toBe(0);
      expect(requestCount(s.emulator, "POST /v2/ssh-keys")).toBe(0);

      const err = await failure(
        s.engine.up(async () => {
          new SpotBid("other", { instanceType: "a100", limitPrice: 5, instanceQuantity: 3, adoptId: bid.fid });
        }),
      );
      expect(err.message).toMatch(/Cannot adopt bid .* it has 1 instance\(s\), not 3/);
      await s.engine.destroy();
      expect(await liveBids(s.client)).toEqual([]);
    } finally {
      await s.close();
    }
  });
});

describe("a volume in use", () => {
  test("deleting a volume a live bid still uses fails naming the bid, and keeps it in the stack", async () => {
    const s = await fcpStack();
    try {
      await s.engine.up(async () => {
        new Volume("shared", { sizeGb: 10, interface: "file", detachTimeoutMinutes: 0.01 });
      });
      const [volume] = await s.client.listVolumes();
      const outside = await s.client.createBid({ name: "outside", instanceType: "a100", limitPrice: 5, volumes: [volume.fid] });
      const err = await failure(s.engine.destroy());
      expect(err.message).toContain(outside.fid);
      expect(err.message).toMatch(/still attached/);
      expect((await s.engine.resources()).some((r) => r.name === "shared")).toBe(true);
      await s.client.cancelBid(outside.fid);
      await s.engine.destroy();
      expect(await s.client.listVolumes()).toEqual([]);
    } finally {
      await s.close();
    }
  });
});

describe("secrets", () => {
  test("API key and private key appear nowhere: state file, plugin output, error messages", async () => {
    const s = await fcpStack();
    try {
      const up = await s.engine.up(async () => {
        const key = new SshKey("k");
        return { privateKey: key.privateKey };
      });
      const privateKey = String(up.outputs.privateKey.value);
      expect(privateKey).toMatch(/BEGIN OPENSSH PRIVATE KEY/);
      const body = privateKey.split("\n")[1];
      // An error path: a bid that FCP refuses (unknown SSH key) surfaces the API's message.
      const err = await failure(
        s.engine.up(async () => {
          const key = new SshKey("k");
          new SpotBid("refused", { instanceType: "a100", limitPrice: 5, sshKeyIds: [key.keyId, "ssh-key_doesnotexist"] });
          return { privateKey: key.privateKey };
        }),
      );
      expect(err.message).toMatch(/ssh-key_doesnotexist/);
      const everything = [s.stateText(), err.message, err.result.pluginStderr, err.result.pluginStdout, up.pluginStderr, up.pluginStdout].join("\n");
      expect(everything).not.toContain(s.emulator.apiKey);
      expect(everything).not.toContain(body);
      await s.engine.destroy();
    } finally {
      await s.close();
    }
  });
});
