// The client against the real emulator, in each dialect the emulator serves: the whole lifecycle,
// and its resilience under the emulator's injected faults (lost answers after a write, drops,
// 429s, 5xx). The client speaks the emulator's dialect, except where a test says `auto`.
import { startEmulator, type RunningEmulator } from "../../../src/emulator";
import type { FcpClient, FcpClientOptions } from "../../../src/fcp-client/client";
import { emulatorClient } from "../../fixtures/fcp-client/emulator-client";
import type { Dialect } from "../../../src/fcp-client/dialect";
import { AuthenticationError, RateLimitError, BidNotFoundError, ValidationAPIError } from "../../../src/fcp-api/errors";
import { EMULATOR_DIALECTS, emulatorDialectOptions } from "../../fixtures/dialects";

const SSH_KEY_FID: Record<Dialect, RegExp> = { seed: /^ssh-key_/, mithril: /^sshkey_/ };

describe.each(EMULATOR_DIALECTS)("FcpClient against the emulator (%s dialect)", (dialect) => {
  let emu: RunningEmulator;
  const sleeps: number[] = [];
  let clients: FcpClient[] = [];

  function client(extra: Partial<FcpClientOptions> = {}): FcpClient {
    const c = emulatorClient(emu, { dialect, ...extra }, sleeps);
    clients.push(c);
    return c;
  }

  beforeAll(async () => {
    emu = await startEmulator({ seed: 7, provisionSeconds: 0, instances: "none", ...emulatorDialectOptions(dialect) });
  });
  afterAll(async () => {
    await emu.close();
  });
  beforeEach(async () => {
    await emu.admin.reset();
    emu.admin.setFaults({});
    sleeps.length = 0;
  });
  afterEach(async () => {
    await Promise.all(clients.map((c) => c.close()));
    clients = [];
  });

  const bidsNamed = async (c: FcpClient, name: string) => (await c.listBids()).filter((b) => b.name === name);

  it("runs the whole lifecycle: key, volume, bid, instances, update, cancel, deletes", async () => {
    const c = client();
    await expect(c.resolveProjectFid()).resolves.toBe(emu.projectFid);
    await expect(c.getCurrentUser()).resolves.toMatchObject({ fid: expect.stringMatching(/^user_/) });
    const types = await c.listInstanceTypes();
    expect(types.map((t) => t.name)).toContain("a100-80gb.sxm.1x");

    const key = await c.createSshKey({ name: "deploy" });
    expect(key.fid).toMatch(SSH_KEY_FID[dialect]);
    expect(key.privateKey).toMatch(/PRIVATE KEY/);
    const vol = await c.createVolume({ name: "data", sizeGb: 10 });
    expect(vol).toMatchObject({ sizeGb: 10, interface: "block" });

    const pick = await c.selectInstanceType({ minGpuMemoryGb: 80, gpuCount: 1, region: "us-central1-a" });
    const bid = await c.createBid({
      name: "train-1",
      instanceType: "a100",
      limitPriceCents: pick.priceCents + 100,
      sshKeys: [key.fid],
      volumes: [vol.fid],
      startupScript: "#!/bin/bash\necho hi",
    });
    expect(bid).toMatchObject({ name: "train-1", instanceType: "it_MsIRhxj3ccyVWGfP", limitPriceCents: pick.priceCents + 100 });
    await expect(c.getBid(bid.fid)).resolves.toMatchObject({ fid: bid.fid });

    await emu.admin.advanceClock(60_000);
    const fresh = await c.getBid(bid.fid, { maxAgeMs: 0 });
    expect(["allocated", "running"]).toContain(fresh.status);
    const instances = await c.listInstances();
    expect(instances.filter((i) => i.bid === bid.fid).length).toBe(1);
    expect(instances[0].sshHost).toBe("127.0.0.1");

    const updated = await c.updateBid(bid.fid, { limitPrice: "$50.00" });
    expect(updated.limitPriceCents).toBe(5000);
    await expect(c.cancelBid(bid.fid)).resolves.toBe(true);
    await expect(c.deleteVolume(vol.fid)).resolves.toBe(true);
    await expect(c.deleteSshKey(key.fid)).resolves.toBe(true);
    await expect(c.deleteSshKey(key.fid)).resolves.toBe(false);
  });

  it.each([
    ["failAfterWrite", { failAfterWrite: { count: 1, routes: ["POST /v2/spot/bids"] } }],
    ["a 503 answer", { errors: { count: 1, statuses: [503], routes: ["POST /v2/spot/bids"] } }],
    ["a dropped connection", { drop: { count: 1, routes: ["POST /v2/spot/bids"] } }],
    ["a 429", { rateLimit: { count: 2, retryAfterSeconds: 3, routes: ["POST /v2/spot/bids"] } }],
  ])("creates exactly one bid despite %s", async (_label, faults) => {
    emu.admin.setFaults(faults);
    const c = client();
    const bid = await c.createBid({ name: "once", instanceType: "a100", limitPrice: "$5.00" });
    const named = await bidsNamed(c, "once");
    expect(named.map((b) => b.fid)).toEqual([bid.fid]);
  });

  it("creates exactly one volume and one key when every first answer is lost", async () => {
    emu.admin.setFaults({ failAfterWrite: { count: 2, routes: ["POST /v2/volumes", "POST /v2/ssh-keys"] } });
    const c = client();
    const vol = await c.createVolume({ name: "v-once", sizeGb: 1 });
    const key = await c.createSshKey({ name: "k-once", publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB4m0LkV4eXq9Ww0q3m8ZKXbVv0Y3q1f8m0p0Vw3m0xY me@host" });
    expect((await c.listVolumes()).filter((v) => v.name === "v-once").map((v) => v.fid)).toEqual([vol.fid]);
    expect((await c.listSshKeys()).filter((k) => k.name === "k-once").map((k) => k.fid)).toEqual([key.fid]);
  });

  it("retries GETs through 5xx and honours Retry-After on 429", async () => {
    emu.admin.setFaults({ rateLimit: { count: 1, retryAfterSeconds: 4, routes: ["GET /v2/projects"] }, errors: { count: 2, statuses: [502, 504], routes: ["GET /v2/instance-types"] } });
    const c = client();
    await c.listProjects();
    expect(sleeps).toEqual([4000]);
    await expect(c.listInstanceTypes()).resolves.toHaveLength(6);
    expect(sleeps).toHaveLength(3);
  });

  it("gives up on 429 after maxRetries with RateLimitError", async () => {
    emu.admin.setFaults({ rateLimit: { retryAfterSeconds: 1, routes: ["GET /v2/projects"] } });
    const c = client({ maxRetries: 2 });
    await expect(c.listProjects()).rejects.toBeInstanceOf(RateLimitError);
    expect(sleeps).toEqual([1000, 1000]);
  });

  it("follows pagination and shares one listing among concurrent getBid calls", async () => {
    const c = client({ pageSize: 7 });
    const made = [];
    for (let i = 0; i < 30; i++) made.push(await c.createBid({ name: `p-${i}`, instanceType: "a100", limitPrice: "$0.50" }));
    const all = await c.listBids();
    expect(all.filter((b) => b.name?.startsWith("p-"))).toHaveLength(30);

    // The seed has no single-bid GET, so lookups share listings; that is what this part proves.
    const reader = client({ pageSize: 7, dialect: "seed" });
    await reader.resolveProjectFid();
    emu.admin.clearRequests();
    const got = await Promise.all(made.map((b) => reader.getBid(b.fid)));
    expect(got.map((b) => b.fid)).toEqual(made.map((b) => b.fid));
    // 30 lookups, one listing: as many list requests as pages, seen by the server itself.
    expect(emu.admin.requests().counts["GET /v2/spot/bids"]).toBe(Math.ceil(30 / 7));
    expect(reader.requestStats.get("GET /v2/spot/bids")).toBe(Math.ceil(30 / 7));
    await expect(reader.getBid("bid_doesnotexist")).rejects.toBeInstanceOf(BidNotFoundError);
  });

  it("maps the emulator's 422 and 401 answers", async () => {
    const c = client();
    const err = await c.createBid({ name: "bad", instanceType: "it_NoSuchType", limitPrice: "$1.00" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationAPIError);
    expect((err as ValidationAPIError).validationErrors[0].field).toBe("instance_type");
    // The seed's error body carries a request id; FastAPI's has none.
    if (dialect === "seed") expect((err as ValidationAPIError).requestId).toMatch(/^req/);
    const wrong = client({ apiKey: "fcp-wrong-key-123456" });
    await expect(wrong.listProjects()).rejects.toBeInstanceOf(AuthenticationError);
  });

  it("issue 12: a lost create answer plus a 500 on the lookup still returns the one bid", async () => {
    emu.admin.setFaults({
      failAfterWrite: { count: 1, routes: ["POST /v2/spot/bids"] },
      errors: { count: 1, statuses: [500], routes: ["GET /v2/spot/bids"] },
    });
    const c = client();
    const bid = await c.createBid({ name: "orphan-check", instanceType: "a100", limitPrice: "$15.00" });
    const named = (await c.listBids()).filter((b) => b.name === "orphan-check");
    expect(named.map((b) => b.fid)).toEqual([bid.fid]);
  });

  it("auto: speaks the emulator's dialect after at most one refused request, and creates one bid", async () => {
    const c = client({ dialect: "auto" });
    const key = await c.createSshKey({ name: "auto-key" });
    const vol = await c.createVolume({ name: "auto-vol", sizeGb: 1 });
    const bid = await c.createBid({ name: "auto-bid", instanceType: "a100", limitPrice: "$15.00", sshKeys: [key.fid], volumes: [vol.fid] });
    expect(c.dialect).toBe(dialect);
    expect((await bidsNamed(c, "auto-bid")).map((b) => b.fid)).toEqual([bid.fid]);
    expect(bid).toMatchObject({ sshKeys: [key.fid], volumes: [vol.fid] });
    await emu.admin.advanceClock(60_000);
    await expect(c.getBid(bid.fid, { maxAgeMs: 0 })).resolves.toMatchObject({ status: expect.stringMatching(/allocated|running/) });
    const mine = await c.listInstances({ bid: bid.fid });
    expect(mine.map((i) => i.bid)).toEqual([bid.fid]);
    // Each create reached the server at most twice: once refused (422), once accepted.
    const posts = emu.admin.requests().counts["POST /v2/spot/bids"] ?? 0;
    expect(posts).toBeLessThanOrEqual(dialect === "seed" ? 1 : 2);
  });

  it("lists filter by status and bid whether or not the server applies the filter", async () => {
    const c = client();
    const a = await c.createBid({ name: "f-a", instanceType: "a100", limitPrice: "$15.00" });
    const b = await c.createBid({ name: "f-b", instanceType: "a100", limitPrice: "$15.00" });
    await c.cancelBid(b.fid);
    const { status } = await c.getBid(a.fid, { maxAgeMs: 0 });
    const same = await c.listBids({ status });
    expect(same.map((x) => x.fid)).toContain(a.fid);
    expect(same.every((x) => x.status === status)).toBe(true);
    // The live service shows a cancelled bid as Terminated.
    const cancelled = dialect === "seed" ? "cancelled" : "terminated";
    expect((await c.listBids({ status: cancelled })).map((x) => x.fid)).toEqual([b.fid]);
    await emu.admin.advanceClock(60_000);
    const ofA = await c.listInstances({ bid: a.fid });
    expect(ofA.length).toBeGreaterThan(0);
    expect(ofA.every((i) => i.bid === a.fid)).toBe(true);
    await expect(c.listInstances({ bid: b.fid, status: "running" })).resolves.toEqual([]);
  });

  it("issue 12: a single 500 on DELETE does not fail the cancel", async () => {
    const c = client();
    const bid = await c.createBid({ name: "cancel-500", instanceType: "a100", limitPrice: "$15.00" });
    emu.admin.setFaults({ errors: { count: 1, statuses: [500], routes: ["DELETE /v2/spot/bids/{fid}"] } });
    await expect(c.cancelBid(bid.fid)).resolves.toBe(true);
    const after = (await c.listBids()).find((b) => b.fid === bid.fid);
    expect(after?.status).toBe(dialect === "seed" ? "cancelled" : "terminated");
  });
});
