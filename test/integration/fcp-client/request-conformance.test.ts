// Every request the client builds in the mithril dialect validates against the live service's
// OpenAPI description, read from the installed flow-compute package (never a copy). The requests
// go over real HTTP to a stand-in that refuses, as FastAPI does, whatever the description refuses.
import { FcpClient, type FcpClientOptions } from "../../../src/fcp-client/client";
import { ValidationError } from "../../../src/fcp-api/errors";
import { bidListQuery, createBidBody, createVolumeBody, instanceListQuery } from "../../../src/fcp-client/wire";
import { loadLiveOpenApi } from "../../fixtures/live-openapi";
import { type OpenApiValidator, openApiValidator } from "../../fixtures/openapi-validator";
import { type LiveStandIn, startLiveStandIn } from "./live-service-stand-in";

describe("requests conform to the live OpenAPI description", () => {
  let validator: OpenApiValidator;
  let live: LiveStandIn;
  let clients: FcpClient[] = [];

  function client(extra: Partial<FcpClientOptions> = {}): FcpClient {
    const c = new FcpClient({
      apiKey: "fkey_conformance_0123456789",
      apiUrl: live.url,
      project: "my-project",
      region: "us-central1-a",
      env: {},
      homeDir: "/nonexistent",
      clock: { sleep: async () => undefined },
      createSettleMs: 1,
      ...extra,
    });
    clients.push(c);
    return c;
  }

  beforeAll(() => {
    validator = openApiValidator(loadLiveOpenApi());
  });
  beforeEach(async () => {
    live = await startLiveStandIn(validator);
  });
  afterEach(async () => {
    await Promise.all(clients.map((c) => c.close()));
    clients = [];
    await live.close();
  });

  /** Every request problem (strict about undeclared query parameters) and every response problem. */
  function problems(exchanges = live.exchanges): string[] {
    return exchanges.flatMap((x) => [
      ...validator.requestProblems(x.request, { strictQuery: true }),
      ...(x.operation && x.status < 300 ? validator.responseProblems(x.operation, x.status, x.body) : []),
    ]);
  }
  const operations = () => new Set(live.exchanges.map((x) => (x.operation ? `${x.operation.method} ${x.operation.template}` : `? ${x.request.path}`)));

  it("the whole client surface, in the mithril dialect, sends only what the description accepts", async () => {
    const c = client({ dialect: "mithril", pageSize: 500 });
    await c.getCurrentUser();
    await c.listInstanceTypes();
    await c.getSpotAvailability({ region: "us-central1-a" });

    const generated = await c.createSshKey({ name: "deploy" });
    expect(generated.fid).toMatch(/^sshkey_/);
    expect(generated.privateKey).toMatch(/RSA PRIVATE KEY/);
    const uploaded = await c.createSshKey({ name: "laptop", publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB4m me@host", required: false });
    await expect(c.updateSshKey(uploaded.fid, { required: true })).resolves.toMatchObject({ required: true });
    await expect(c.requiredSshKeys()).resolves.toEqual([uploaded.fid]);

    const block = await c.createVolume({ name: "data", sizeGb: 10 });
    const file = await c.createVolume({ name: "shared-1", sizeGb: 20, interface: "file" });
    expect([block.interface, file.interface]).toEqual(["block", "file"]);
    await c.listVolumes({ region: "us-central1-a" });

    const bid = await c.createBid({
      name: "train-1",
      instanceType: "a100",
      limitPrice: "$2.00",
      sshKeys: [generated.fid],
      volumes: [block.fid],
      startupScript: "#!/bin/bash\necho hi",
    });
    // The project's required key joined the bid's own.
    expect(bid.sshKeys.sort()).toEqual([generated.fid, uploaded.fid].sort());
    expect(bid).toMatchObject({ volumes: [block.fid], startupScript: "#!/bin/bash\necho hi", status: "pending" });

    for (const status of ["pending", "allocated", "preempting", "paused", "terminated", "running", "cancelled"] as const) {
      await c.listBids({ status, region: "us-central1-a", instanceType: "it_MsIRhxj3ccyVWGfP" });
    }
    await expect(c.getBid(bid.fid, { maxAgeMs: 0 })).resolves.toMatchObject({ fid: bid.fid });
    await c.updateBid(bid.fid, { limitPrice: "$2.50" });
    await c.updateBid(bid.fid, { paused: true });
    await c.updateBid(bid.fid, { paused: false, volumes: [block.fid, file.fid] });

    live.setBidStatus(bid.fid, "Allocated");
    for (const status of [undefined, "running", "pending", "terminated", "failed", "preempted"] as const) {
      await c.listInstances({ bid: bid.fid, status, region: "us-central1-a" });
    }
    const running = await c.listInstances({ bid: bid.fid, status: "running" });
    expect(running.map((i) => [i.status, i.sshHost, i.sshPort])).toEqual([["running", "203.0.113.10", 22]]);

    await expect(c.cancelBid(bid.fid)).resolves.toBe(true);
    await expect(c.deleteVolume(file.fid)).resolves.toBe(true);
    await expect(c.deleteSshKey(generated.fid)).resolves.toBe(true);

    expect(problems()).toEqual([]);
    expect(live.exchanges.filter((x) => x.status >= 400)).toEqual([]);
    // Nothing the client does went unchecked: each of these operations was exercised.
    expect([...operations()].sort()).toEqual(
      [
        "DELETE /v2/spot/bids/{bid_fid}",
        "DELETE /v2/ssh-keys/{ssh_key_fid}",
        "DELETE /v2/volumes/{volume_fid}",
        "GET /v2/instance-types",
        "GET /v2/instances",
        "GET /v2/me",
        "GET /v2/projects",
        "GET /v2/spot/availability",
        "GET /v2/spot/bids",
        "GET /v2/spot/bids/{bid_fid}",
        "GET /v2/ssh-keys",
        "GET /v2/volumes",
        "PATCH /v2/spot/bids/{bid_fid}",
        "PATCH /v2/ssh-keys/{ssh_key_fid}",
        "POST /v2/spot/bids",
        "POST /v2/ssh-keys",
        "POST /v2/volumes",
      ].sort(),
    );
  });

  it("auto: the seed-shaped create is refused with FastAPI's 422, re-sent once in the live shape, and one bid exists", async () => {
    const c = client();
    expect(c.dialect).toBe("seed");
    const bid = await c.createBid({ name: "auto-1", instanceType: "a100", limitPrice: "$2.00", startupScript: "echo hi" });
    expect(c.dialect).toBe("mithril");
    const posts = live.exchanges.filter((x) => x.request.method === "POST" && x.request.path === "/v2/spot/bids");
    expect(posts.map((p) => p.status)).toEqual([422, 201]);
    expect(posts[0].body).toMatchObject({ detail: [expect.objectContaining({ loc: ["body", "launch_specification"] })] });
    expect(validator.requestProblems(posts[1].request, { strictQuery: true })).toEqual([]);
    expect((await c.listBids()).filter((b) => b.name === "auto-1").map((b) => b.fid)).toEqual([bid.fid]);
    expect(bid.startupScript).toBe("echo hi");

    // Everything after the switch is built in the live shape from the start.
    const before = live.exchanges.length;
    const vol = await c.createVolume({ name: "after-switch", sizeGb: 5 });
    await c.listInstances({ bid: bid.fid });
    await c.getBid(bid.fid, { maxAgeMs: 0 });
    expect(vol.fid).toMatch(/^vol_/);
    expect(problems(live.exchanges.slice(before))).toEqual([]);
  });

  it("the check has teeth: the seed dialect's shapes are exactly what the live description refuses", () => {
    const core = { project: "proj_1", region: "us-central1-a", instanceType: "it_1", limitPrice: "$1.00", instanceQuantity: 1, name: "b" };
    const launch = { sshKeys: [], startupScript: "", volumes: [] };
    const asQuery = (q: Record<string, unknown>) =>
      new URLSearchParams(Object.entries(q).filter(([, v]) => v !== undefined).map(([k, v]): [string, string] => [k, String(v)]));
    const seed = [
      { method: "POST", path: "/v2/spot/bids", query: new URLSearchParams(), body: createBidBody("seed", core, launch) },
      { method: "POST", path: "/v2/volumes", query: new URLSearchParams(), body: createVolumeBody("seed", { name: "d", sizeGb: 1, interface: "block", project: "proj_1", region: "r" }) },
      { method: "GET", path: "/v2/spot/bids", query: asQuery(bidListQuery("seed", { status: "pending", pageSize: 500 })), body: undefined },
      { method: "GET", path: "/v2/instances", query: asQuery(instanceListQuery("seed", { project: "proj_1", bid: "bid_1", instanceStatus: "running" })), body: undefined },
    ];
    const found = seed.map((r) => validator.requestProblems(r, { strictQuery: true }).join("\n"));
    expect(found[0]).toMatch(/launch_specification/);
    expect(found[1]).toMatch(/disk_interface/);
    expect(found[2]).toMatch(/status .*allowed values/);
    expect(found[2]).toMatch(/limit .*<= 100/);
    expect(found[3]).toMatch(/query parameter bid is not declared/);
    // ... and the same requests built in the mithril dialect pass.
    const mithril = [
      { ...seed[0], body: createBidBody("mithril", core, launch) },
      { ...seed[1], body: createVolumeBody("mithril", { name: "d", sizeGb: 1, interface: "block", project: "proj_1", region: "r" }) },
      { ...seed[2], query: asQuery(bidListQuery("mithril", { status: "pending", pageSize: 500 })) },
      { ...seed[3], query: asQuery(instanceListQuery("mithril", { project: "proj_1", bid: "bid_1", instanceStatus: "running" })) },
    ];
    expect(mithril.flatMap((r) => validator.requestProblems(r, { strictQuery: true }))).toEqual([]);
  });

  it.each([
    ["uppercase", "Data"],
    ["an underscore", "my_data"],
    ["a leading digit", "1data"],
    ["a trailing dash", "data-"],
    ["65 characters", `v${"a".repeat(64)}`],
  ])("refuses a volume name with %s before sending, naming the rule", async (_what, name) => {
    const c = client({ dialect: "mithril" });
    const err = await c.createVolume({ name, sizeGb: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).message).toMatch(/lowercase letters, digits and '-'/);
    expect(live.exchanges.filter((x) => x.request.method === "POST")).toEqual([]);
  });

  it("the required-key check stays out of the way where no key is required", async () => {
    let now = Date.now();
    const c = client({ dialect: "mithril", clock: { now: () => now } });
    const bid = await c.createBid({ name: "no-required", instanceType: "a100", limitPrice: "$2.00" });
    expect(bid.sshKeys).toEqual([]);
    const admin = live.addRequiredKey("admin");
    // The required-key listing serves creates for 10 s (see the emulator test for a refused bid).
    now += 10_001;
    const second = await c.createBid({ name: "with-required", instanceType: "a100", limitPrice: "$2.00" });
    expect(second.sshKeys).toEqual([admin]);
    expect(problems()).toEqual([]);
  });
});
