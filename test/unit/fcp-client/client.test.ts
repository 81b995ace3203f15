import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FcpClient } from "../../../src/fcp-client/client";
import { closeSharedFcpClients, sharedFcpClient } from "../../../src/fcp-client/client-registry";
import { ValidationError } from "../../../src/fcp-api/errors";
import { CLIENT_VERSION, HttpTransport } from "../../../src/fcp-client/http";
import { PROJECTS, type RecordedRequest, type ScriptedServer, json, startScriptedServer, wireBid } from "./scripted-server";

const API_KEY = "fcp-test-key-0123456789abcdef";

describe("FcpClient endpoints over real HTTP", () => {
  let server: ScriptedServer;
  let client: FcpClient;

  beforeAll(async () => {
    server = await startScriptedServer();
  });
  afterAll(async () => {
    await client?.close();
    await server.close();
  });
  beforeEach(() => {
    server.requests.length = 0;
    client = new FcpClient({ apiKey: API_KEY, apiUrl: server.url, project: "my-project", region: "us-central1-a", instanceTypes: { useBuiltin: true } });
  });

  function route(routes: Record<string, (req: RecordedRequest) => [number, unknown]>) {
    server.handle((req, res) => {
      const r = routes[`${req.method} ${req.path}`];
      if (!r) return json(res, 404, { detail: `no route ${req.method} ${req.path}` });
      const [status, body] = r(req);
      json(res, status, body);
    });
  }

  it("sends Bearer auth, the package User-Agent and a fresh X-Client-Request-Id per request", async () => {
    route({ "GET /v2/projects": () => [200, PROJECTS] });
    await client.listProjects();
    await client.listProjects();
    const [a, b] = server.requests;
    expect(a.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(a.headers["user-agent"]).toBe(`pulumi-fcp/${CLIENT_VERSION}`);
    expect(CLIENT_VERSION).toBe((JSON.parse(readFileSync(join(__dirname, "../../../package.json"), "utf8")) as { version: string }).version);
    expect(a.headers["x-client-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(b.headers["x-client-request-id"]).not.toBe(a.headers["x-client-request-id"]);
  });

  it("regression: a caller's headers cannot replace the API key or the request id, in any case", async () => {
    route({ "GET /v2/projects": () => [200, PROJECTS] });
    const transport = (client as unknown as { shared: { transport: HttpTransport } }).shared.transport;
    await transport.request({
      method: "GET",
      path: "/v2/projects",
      headers: { Authorization: "Bearer someone-else", authorization: "Bearer other", "X-Client-Request-Id": "fixed", "x-trace": "kept" },
    });
    const [req] = server.requests;
    expect(req.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(req.headers["x-client-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(req.headers["x-trace"]).toBe("kept");
  });

  it("lists projects and resolves a project name to its FID once", async () => {
    route({ "GET /v2/projects": () => [200, PROJECTS] });
    await expect(client.resolveProjectFid()).resolves.toBe("proj_abc123");
    await expect(client.resolveProjectFid("proj_other9")).resolves.toBe("proj_other9");
    await expect(client.resolveProjectFid("nope")).rejects.toThrow(/Project "nope" was not found; this API key sees my-project, other/);
    expect(server.requests.filter((r) => r.path === "/v2/projects")).toHaveLength(1);
  });

  it("gets the current user from /v2/me, plain or wrapped in data", async () => {
    route({ "GET /v2/me": () => [200, { data: { fid: "user_1", username: "ada", email: "ada@example.com" } }] });
    await expect(client.getCurrentUser()).resolves.toEqual({ fid: "user_1", username: "ada", email: "ada@example.com" });
    route({ "GET /v2/me": () => [200, { user_id: "user_2", email: "b@example.com" }] });
    await expect(client.getCurrentUser()).resolves.toMatchObject({ fid: "user_2" });
  });

  it("lists instance types and spot availability in camelCase with prices in cents", async () => {
    route({
      "GET /v2/instance-types": () => [200, [{ fid: "it_A", name: "a100-80gb.sxm.1x", num_gpus: 1, gpu_memory_gb: 80, ram_gb: 225, extra_field: true }]],
      "GET /v2/spot/availability": () => [
        200,
        [
          { fid: "auc_1", instance_type: "it_A", region: "us-central1-a", capacity: 3, last_instance_price: "$10.50" },
          { fid: "auc_2", instance_type: "it_A", region: "eu-central1-a", capacity: 0, last_instance_price: "$9.00" },
        ],
      ],
    });
    await expect(client.listInstanceTypes()).resolves.toEqual([
      expect.objectContaining({ fid: "it_A", name: "a100-80gb.sxm.1x", numGpus: 1, gpuMemoryGb: 80, ramGb: 225 }),
    ]);
    const avail = await client.getSpotAvailability({ region: "us-central1-a" });
    expect(avail).toEqual([
      { fid: "auc_1", instanceType: "it_A", region: "us-central1-a", capacity: 3, lastInstancePrice: "$10.50", lastInstancePriceCents: 1050 },
    ]);
  });

  it("creates a bid with the seed's wire format: FID instance type, dollar-string price", async () => {
    route({
      "GET /v2/projects": () => [200, PROJECTS],
      "POST /v2/spot/bids": (req) => [201, { ...(req.body as object), fid: "bid_new1", status: "pending", created_at: "2025-07-02T12:00:00Z" }],
    });
    const bid = await client.createBid({ name: "train-1", instanceType: "2xa100", limitPrice: 12.5, sshKeys: ["ssh-key_1"], startupScript: "#!/bin/bash" });
    const post = server.requests.find((r) => r.method === "POST")!;
    expect(post.body).toEqual({
      project: "proj_abc123",
      region: "us-central1-a",
      instance_type: "it_5M6aGxGovNeX5ltT",
      limit_price: "$12.50",
      ssh_keys: ["ssh-key_1"],
      startup_script: "#!/bin/bash",
      volumes: [],
      name: "train-1",
      instance_quantity: 1,
    });
    expect(post.headers["idempotency-key"]).toMatch(/^pulumi-fcp-/);
    expect(bid).toMatchObject({ fid: "bid_new1", name: "train-1", limitPriceCents: 1250, limitPrice: "$12.50", status: "pending", instanceQuantity: 1 });
  });

  it("gives an unnamed bid a unique generated name, so it can be found again", async () => {
    route({
      "GET /v2/projects": () => [200, PROJECTS],
      "POST /v2/spot/bids": (req) => [201, { ...(req.body as object), fid: "bid_x", status: "Open" }],
    });
    const bid = await client.createBid({ instanceType: "a100", limitPriceCents: 1000 });
    expect(bid.name).toMatch(/^pulumi-fcp-[0-9a-f]{8}$/);
    expect(bid.status).toBe("pending");
  });

  it("rejects bad bid input before any request", async () => {
    route({ "GET /v2/projects": () => [200, PROJECTS] });
    await expect(client.createBid({ instanceType: "a100x8", limitPrice: "$1.00" })).rejects.toThrow(/write "8xa100"/);
    await expect(client.createBid({ instanceType: "a100", limitPrice: "15" })).rejects.toThrow(/dollar string/);
    await expect(client.createBid({ instanceType: "a100", limitPrice: -1 })).rejects.toThrow(/non-negative/);
    await expect(client.createBid({ instanceType: "a100" })).rejects.toThrow(/limitPrice is required/);
    expect(server.requests.filter((r) => r.method === "POST")).toHaveLength(0);
  });

  it("updates a bid with PATCH carrying only limit_price and paused", async () => {
    route({
      "GET /v2/projects": () => [200, PROJECTS],
      "PATCH /v2/spot/bids/bid_000001": (req) => [200, wireBid(1, { limit_price: (req.body as { limit_price: string }).limit_price, paused: true, status: "Paused" })],
    });
    const bid = await client.updateBid("bid_000001", { limitPrice: "$20.00", paused: true });
    expect(server.requests.find((r) => r.method === "PATCH")!.body).toEqual({ limit_price: "$20.00", paused: true });
    expect(bid).toMatchObject({ limitPriceCents: 2000, paused: true, status: "paused" });
    await expect(client.updateBid("bid_000001", {})).rejects.toThrow(/needs limitPrice, paused or volumes/);
  });

  it("re-reads the bid when PATCH answers without a body", async () => {
    route({
      "GET /v2/projects": () => [200, PROJECTS],
      "PATCH /v2/spot/bids/bid_000001": () => [204, undefined],
      "GET /v2/spot/bids": () => [200, { data: [wireBid(1, { limit_price: "$30.00" })] }],
    });
    await expect(client.updateBid("bid_000001", { limitPriceCents: 3000 })).resolves.toMatchObject({ limitPriceCents: 3000 });
  });

  it("cancels with DELETE and treats an already-gone bid as done", async () => {
    let gone = false;
    route({
      "GET /v2/projects": () => [200, PROJECTS],
      "DELETE /v2/spot/bids/bid_000001": () => (gone ? [404, { detail: "Bid not found" }] : ((gone = true), [204, undefined])),
    });
    await expect(client.cancelBid("bid_000001")).resolves.toBe(true);
    await expect(client.cancelBid("bid_000001")).resolves.toBe(false);
  });

  it("lists instances with the live status spellings and ssh_destination or public_ip", async () => {
    route({
      "GET /v2/projects": () => [200, PROJECTS],
      "GET /v2/instances": () => [
        200,
        {
          data: [
            { fid: "inst_1", bid: "bid_1", status: "STATUS_RUNNING", ssh_destination: "34.1.2.3:2222" },
            { fid: "inst_2", bid: "bid_1", status: "running", public_ip: "34.1.2.4" },
          ],
        },
      ],
    });
    const list = await client.listInstances({ region: "us-central1-a" });
    expect(list).toEqual([
      expect.objectContaining({ fid: "inst_1", status: "running", sshHost: "34.1.2.3", sshPort: 2222 }),
      expect.objectContaining({ fid: "inst_2", status: "running", sshHost: "34.1.2.4", sshPort: 22 }),
    ]);
    expect(server.requests.at(-1)!.query.get("project")).toBe("proj_abc123");
    expect(server.requests.at(-1)!.query.get("region")).toBe("us-central1-a");
  });

  it("creates, lists and deletes volumes (the seed's `interface` in the seed dialect)", async () => {
    route({
      "GET /v2/projects": () => [200, PROJECTS],
      "POST /v2/volumes": () => [201, { fid: "vol_1", name: "data", capacity_gb: 100, interface: "file", region: "us-central1-a" }],
      "GET /v2/volumes": () => [200, [{ fid: "vol_1", name: "data", size_gb: 100, disk_interface: "File", status: "Available" }]],
      "DELETE /v2/volumes/vol_1": () => [204, undefined],
    });
    const vol = await client.createVolume({ name: "data", sizeGb: 100, interface: "file" });
    expect(server.requests.at(-1)!.body).toEqual({
      name: "data",
      size_gb: 100,
      interface: "file",
      project: "proj_abc123",
      region: "us-central1-a",
    });
    expect(vol).toMatchObject({ fid: "vol_1", sizeGb: 100, interface: "file" });
    await expect(client.listVolumes()).resolves.toEqual([expect.objectContaining({ fid: "vol_1", interface: "file", status: "available" })]);
    await expect(client.deleteVolume("vol_1")).resolves.toBe(true);
  });

  it.each([
    ["a name longer than 128 characters", { name: "v".repeat(129), sizeGb: 100 }, /name/],
    ["an empty name", { name: "", sizeGb: 100 }, /name/],
    ["more than 16384 GB", { name: "data", sizeGb: 16385 }, /size_gb/],
  ])("regression: createVolume refuses %s with the request schema, before any POST", async (_what, input, field) => {
    route({ "GET /v2/projects": () => [200, PROJECTS], "POST /v2/volumes": () => [201, { fid: "vol_1" }] });
    const e = await client.createVolume(input).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).message).toMatch(field);
    expect(server.requests.filter((r) => r.method === "POST")).toEqual([]);
  });

  it("creates, lists and deletes SSH keys", async () => {
    route({
      "GET /v2/projects": () => [200, PROJECTS],
      "POST /v2/ssh-keys": () => [201, { fid: "ssh-key_1", name: "k", public_key: "ssh-ed25519 AAAA k" }],
      "GET /v2/ssh-keys": () => [200, [{ fid: "ssh-key_1", name: "k", public_key: "ssh-ed25519 AAAA k" }]],
      "DELETE /v2/ssh-keys/ssh-key_1": () => [204, undefined],
    });
    await expect(client.createSshKey({ name: "k", publicKey: "ssh-ed25519 AAAA k" })).resolves.toMatchObject({ fid: "ssh-key_1", publicKey: "ssh-ed25519 AAAA k" });
    expect(server.requests.at(-1)!.body).toEqual({ name: "k", project: "proj_abc123", public_key: "ssh-ed25519 AAAA k" });
    await expect(client.listSshKeys()).resolves.toHaveLength(1);
    await expect(client.deleteSshKey("ssh-key_1")).resolves.toBe(true);
  });

  it("refuses a private key passed as publicKey before any request, without quoting it", async () => {
    const privateKey = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n";
    const error = await client.createSshKey({ name: "k", publicKey: privateKey }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(String(error)).toMatch(/publicKey holds a private key/);
    expect(JSON.stringify(error) + String(error)).not.toContain("b3BlbnNzaC1rZXktdjEAAAAA");
    expect(server.requests).toHaveLength(0);
  });

  it("rejects a response of the wrong shape with a ProviderError", async () => {
    route({ "GET /v2/projects": () => [200, { projects: "nope" }] });
    await expect(client.listProjects()).rejects.toThrow(/GET \/v2\/projects answered in an unexpected shape/);
  });

  it("withOptions derives a client with other call defaults, sharing connections", async () => {
    server.handle(() => {
      // Never answers: only the derived client's short timeout ends the call.
    });
    const quick = client.withOptions({ timeoutMs: 200, maxRetries: 0 });
    await expect(quick.listProjects()).rejects.toMatchObject({ name: "TimeoutError" });
    expect(quick.requestStats).toBe(client.requestStats);
  });

  it("honours a per-call AbortSignal", async () => {
    server.handle(() => {
      // Never answers.
    });
    const ac = new AbortController();
    const p = client.listProjects({ signal: ac.signal });
    setImmediate(() => ac.abort());
    await expect(p).rejects.toMatchObject({ name: "RequestAbortedError" });
  });

  it("sharedFcpClient returns one client per configuration, keyed without the plain key", async () => {
    const a = sharedFcpClient({ apiKey: API_KEY, apiUrl: server.url, project: "my-project" });
    const b = sharedFcpClient({ project: "my-project", apiUrl: server.url, apiKey: API_KEY });
    const other = sharedFcpClient({ apiKey: `${API_KEY}-2`, apiUrl: server.url, project: "my-project" });
    expect(b).toBe(a);
    expect(other).not.toBe(a);
    await closeSharedFcpClients();
    expect(sharedFcpClient({ apiKey: API_KEY, apiUrl: server.url, project: "my-project" })).not.toBe(a);
    await closeSharedFcpClients();
  });
});
