// The client's dialect behaviour over real HTTP: when it re-sends after a 422 (and when never),
// and the live single-bid GET with its fallback to the shared listing.
import { FcpClient, type FcpClientOptions } from "../../../src/fcp-client/client";
import { BidNotFoundError, ValidationAPIError } from "../../../src/fcp-api/errors";
import { PROJECTS, type RecordedRequest, type ScriptedServer, json, startScriptedServer, wireBid } from "./scripted-server";

const FASTAPI_422 = { detail: [{ loc: ["body", "launch_specification"], msg: "Field required", type: "missing" }] };
const SEED_422 = { error: { code: "VALIDATION_ERROR", message: "limit_price is invalid", details: { field: "limit_price" } }, request_id: "req_1" };

describe("the client's dialects over real HTTP", () => {
  let server: ScriptedServer;
  let clients: FcpClient[] = [];

  beforeAll(async () => {
    server = await startScriptedServer();
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
  });
  afterEach(async () => {
    await Promise.all(clients.map((c) => c.close()));
    clients = [];
  });

  function client(extra: Partial<FcpClientOptions> = {}): FcpClient {
    const c = new FcpClient({
      apiKey: "fcp-dialect-key-000000",
      apiUrl: server.url,
      project: "my-project",
      region: "us-central1-a",
      instanceTypes: { useBuiltin: true },
      clock: { sleep: async () => undefined },
      ...extra,
    });
    clients.push(c);
    return c;
  }

  function route(routes: Record<string, (req: RecordedRequest) => [number, unknown]>) {
    server.handle((req, res) => {
      const r = routes[`${req.method} ${req.path}`] ?? routes[`${req.method} ${req.path.replace(/\/bid_[^/]+$/, "/{fid}")}`];
      if (!r) return json(res, 404, { detail: "Not Found" });
      const [status, body] = r(req);
      json(res, status, body);
    });
  }
  const count = (method: string, path: RegExp) => server.requests.filter((r) => r.method === method && path.test(r.path)).length;
  const bidInput = { name: "job-1", instanceType: "a100", limitPrice: "$15.00" };

  it("auto never re-sends a create whose 422 is in the dialect it spoke: one POST, the error", async () => {
    route({ "GET /v2/projects": () => [200, PROJECTS], "GET /v2/ssh-keys": () => [200, []], "POST /v2/spot/bids": () => [422, SEED_422] });
    const c = client();
    await expect(c.createBid(bidInput)).rejects.toBeInstanceOf(ValidationAPIError);
    expect(count("POST", /^\/v2\/spot\/bids$/)).toBe(1);
    expect(c.dialect).toBe("seed");
  });

  it("a fixed dialect never switches: mithril answered in the seed's format is one POST and the error", async () => {
    route({ "GET /v2/projects": () => [200, PROJECTS], "GET /v2/ssh-keys": () => [200, []], "POST /v2/spot/bids": () => [422, SEED_422] });
    const c = client({ dialect: "mithril" });
    await expect(c.createBid(bidInput)).rejects.toThrow(/limit_price/);
    expect(count("POST", /^\/v2\/spot\/bids$/)).toBe(1);
    expect(c.dialect).toBe("mithril");
  });

  it("auto re-sends at most once: a second refusal after the switch is returned, not chased", async () => {
    route({ "GET /v2/projects": () => [200, PROJECTS], "GET /v2/ssh-keys": () => [200, []], "POST /v2/spot/bids": () => [422, FASTAPI_422] });
    const c = client();
    await expect(c.createBid(bidInput)).rejects.toBeInstanceOf(ValidationAPIError);
    expect(count("POST", /^\/v2\/spot\/bids$/)).toBe(2);
    expect(server.requests.filter((r) => r.method === "POST").map((r) => "launch_specification" in (r.body as object))).toEqual([false, true]);
  });

  it("a request that is the same in both dialects is not sent twice; the switch still happens", async () => {
    route({ "GET /v2/projects": () => [422, { detail: [{ loc: ["query", "x"], msg: "bad", type: "value_error" }] }] });
    const c = client({ maxRetries: 0 });
    await expect(c.listProjects()).rejects.toBeInstanceOf(ValidationAPIError);
    expect(count("GET", /^\/v2\/projects$/)).toBe(1);
    expect(c.dialect).toBe("mithril");
  });

  it("mithril: getBid asks GET /v2/spot/bids/{fid}, no listing", async () => {
    route({ "GET /v2/projects": () => [200, PROJECTS], "GET /v2/spot/bids/{fid}": (r) => [200, wireBid(1, { fid: r.path.split("/").pop(), status: "Allocated" })] });
    const c = client({ dialect: "mithril" });
    await expect(c.getBid("bid_000001", { maxAgeMs: 0 })).resolves.toMatchObject({ fid: "bid_000001", status: "allocated" });
    await c.getBid("bid_000001", { maxAgeMs: 0 });
    expect(count("GET", /^\/v2\/spot\/bids\/bid_000001$/)).toBe(2);
    expect(count("GET", /^\/v2\/spot\/bids$/)).toBe(0);
  });

  it.each([404, 405])("mithril: a server answering %s to the single GET is served from the listing, and not asked again", async (status) => {
    route({
      "GET /v2/projects": () => [200, PROJECTS],
      "GET /v2/spot/bids/{fid}": () => [status, { detail: "Not Found" }],
      "GET /v2/spot/bids": () => [200, { data: [wireBid(1)] }],
    });
    const c = client({ dialect: "mithril" });
    await expect(c.getBid("bid_000001", { maxAgeMs: 0 })).resolves.toMatchObject({ fid: "bid_000001" });
    await expect(c.getBid("bid_000001", { maxAgeMs: 0 })).resolves.toMatchObject({ fid: "bid_000001" });
    expect(count("GET", /^\/v2\/spot\/bids\/bid_000001$/)).toBe(1);
    expect(count("GET", /^\/v2\/spot\/bids$/)).toBe(2);
  });

  it("mithril: a bid neither GET nor the listing knows is BidNotFoundError, and the single GET stays in use", async () => {
    route({
      "GET /v2/projects": () => [200, PROJECTS],
      "GET /v2/spot/bids/{fid}": (r) => (r.path.endsWith("bid_000001") ? [200, wireBid(1)] : [404, { detail: "Bid not found" }]),
      "GET /v2/spot/bids": () => [200, { data: [] }],
    });
    const c = client({ dialect: "mithril" });
    await expect(c.getBid("bid_gone", { maxAgeMs: 0 })).rejects.toBeInstanceOf(BidNotFoundError);
    await expect(c.getBid("bid_000001", { maxAgeMs: 0 })).resolves.toMatchObject({ fid: "bid_000001" });
    expect(count("GET", /^\/v2\/spot\/bids\/bid_000001$/)).toBe(1);
  });

  it("seed (and auto before any switch): getBid never tries the single GET the seed does not have", async () => {
    route({ "GET /v2/projects": () => [200, PROJECTS], "GET /v2/spot/bids": () => [200, { data: [wireBid(1)] }] });
    for (const dialect of ["seed", "auto"] as const) {
      await client({ dialect }).getBid("bid_000001", { maxAgeMs: 0 });
    }
    expect(count("GET", /^\/v2\/spot\/bids\/.+/)).toBe(0);
  });

  it("adds the project's required SSH keys to a bid once, beside its own", async () => {
    route({
      "GET /v2/projects": () => [200, PROJECTS],
      "GET /v2/ssh-keys": () => [200, [{ fid: "sshkey_admin", name: "admin", required: true }, { fid: "sshkey_mine", name: "mine", required: false }]],
      "POST /v2/spot/bids": (r) => [201, { ...wireBid(1), ...(r.body as object), fid: "bid_000001" }],
    });
    const c = client({ dialect: "mithril" });
    await c.createBid({ ...bidInput, sshKeys: ["sshkey_mine", "sshkey_admin"] });
    const post = server.requests.find((r) => r.method === "POST")!;
    expect((post.body as { launch_specification: { ssh_keys: string[] } }).launch_specification.ssh_keys).toEqual(["sshkey_mine", "sshkey_admin"]);
    await c.createBid({ ...bidInput, name: "job-2" });
    const second = server.requests.filter((r) => r.method === "POST")[1];
    expect((second.body as { launch_specification: { ssh_keys: string[] } }).launch_specification.ssh_keys).toEqual(["sshkey_admin"]);
  });

  it("refuses `required` keys and key PATCHes on a fixed seed dialect, before sending", async () => {
    route({ "GET /v2/projects": () => [200, PROJECTS] });
    const c = client({ dialect: "seed" });
    await expect(c.createSshKey({ name: "k", required: true })).rejects.toThrow(/live \(mithril\) API/);
    await expect(c.updateSshKey("ssh-key_1", { required: true })).rejects.toThrow(/live \(mithril\) API/);
    expect(server.requests.filter((r) => r.method !== "GET")).toEqual([]);
  });
});
