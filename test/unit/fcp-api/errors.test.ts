import { inspect } from "node:util";
import { FcpClient } from "../../../src/fcp-client/client";
import {
  APIError,
  AuthenticationError,
  FlowError,
  NetworkError,
  ProviderError,
  RateLimitError,
  ResourceNotFoundError,
  BidNotFoundError,
  TimeoutError,
  ValidationAPIError,
  ValidationError,
  redactSecrets,
} from "../../../src/fcp-api/errors";
import { fromResponse } from "../../../src/fcp-client/http";
import { PROJECTS, type ScriptedServer, json, startScriptedServer } from "../fcp-client/scripted-server";

const API_KEY = "fcp-SECRET-abcdef0123456789";

describe("error mapping over real HTTP", () => {
  let server: ScriptedServer;
  let client: FcpClient;
  beforeAll(async () => {
    server = await startScriptedServer();
    // Fixed dialect: a FastAPI 422 in one test must not reshape the requests of the next (auto would switch).
    client = new FcpClient({ apiKey: API_KEY, apiUrl: server.url, project: "my-project", region: "us-central1-a", maxRetries: 0, dialect: "seed" });
  });
  afterAll(async () => {
    await client.close();
    await server.close();
  });

  const answer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    server.handle((req, res) => (req.path === "/v2/projects" && req.method === "GET" && status !== 0 ? json(res, status, body, headers) : json(res, 200, PROJECTS)));

  describe.each([
    [401, { detail: "Invalid API key" }, AuthenticationError, /refused with 401: Invalid API key/],
    [403, { error: { code: "FORBIDDEN", message: "no access" }, request_id: "req_9" }, AuthenticationError, /refused with 403: no access \(request id req_9\)/],
    [404, { detail: "Not Found" }, ResourceNotFoundError, /found nothing: Not Found/],
    [400, { error: { code: "BAD_REQUEST", message: "bad filter" }, request_id: "req_1" }, APIError, /failed with 400: bad filter \(request id req_1\)/],
    [500, "Internal Server Error", APIError, /failed with 500: Internal Server Error/],
    [409, { message: "conflict" }, APIError, /failed with 409: conflict/],
  ])("status %d", (status, body, cls, message) => {
    it(`maps to ${cls.name} with a message saying what failed`, async () => {
      answer(status, body);
      const err = await client.listProjects().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(cls);
      expect(err).toBeInstanceOf(FlowError);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).toMatch(/^GET \/v2\/projects /);
      expect((err as FlowError).suggestions.length).toBeGreaterThan(0);
      expect((err as { statusCode?: number }).statusCode).toBe(status);
    });
  });

  it("maps the seed's 422 body to ValidationAPIError with field errors and allowed values", async () => {
    const body = {
      error: {
        code: "VALIDATION_ERROR",
        message: "Invalid instance type",
        details: { field: "instance_type", value: "invalid-gpu", allowed_values: ["a100-80gb.sxm.2x", "h100.sxm.8x"] },
      },
      request_id: "req-abc123def456",
    };
    answer(422, body);
    const err = (await client.listProjects().catch((e: unknown) => e)) as ValidationAPIError;
    expect(err).toBeInstanceOf(ValidationAPIError);
    expect(err.statusCode).toBe(422);
    expect(err.requestId).toBe("req-abc123def456");
    expect(err.errorCode).toBe("VALIDATION_ERROR");
    expect(err.responseBody).toEqual(body);
    expect(err.validationErrors).toEqual([
      { field: "instance_type", message: "Invalid instance type", value: "invalid-gpu", allowedValues: ["a100-80gb.sxm.2x", "h100.sxm.8x"] },
    ]);
    expect(err.message).toMatch(/instance_type Invalid instance type \(got "invalid-gpu"\)/);
    expect(err.suggestions).toContain("Set instance_type to one of: a100-80gb.sxm.2x, h100.sxm.8x.");
  });

  it("maps FastAPI's 422 detail list to ValidationAPIError with field paths", async () => {
    answer(422, {
      detail: [
        { loc: ["body", "limit_price"], msg: "String should match pattern", type: "string_pattern_mismatch", input: 10 },
        { loc: ["body", "launch_specification", "ssh_keys"], msg: "Field required", type: "missing" },
      ],
    });
    const err = (await client.listProjects().catch((e: unknown) => e)) as ValidationAPIError;
    expect(err).toBeInstanceOf(ValidationAPIError);
    expect(err.validationErrors).toEqual([
      { field: "limit_price", message: "String should match pattern", value: 10 },
      { field: "launch_specification.ssh_keys", message: "Field required", value: undefined },
    ]);
    expect(err.message).toMatch(/limit_price String should match pattern \(got 10\); launch_specification.ssh_keys Field required/);
  });

  it("maps 429 to RateLimitError with retryAfter in seconds", async () => {
    answer(429, { detail: "slow down" }, { "retry-after": "7" });
    const err = (await client.listProjects().catch((e: unknown) => e)) as RateLimitError;
    expect(err).toBeInstanceOf(RateLimitError);
    expect(err.retryAfter).toBe(7);
    expect(err.message).toMatch(/rate limited \(429\): slow down/);
  });

  it("maps a 404 under /spot/bids to BidNotFoundError", () => {
    const err = fromResponse(404, { detail: "Bid not found" }, { method: "PATCH", path: "/v2/spot/bids/bid_1" });
    expect(err).toBeInstanceOf(BidNotFoundError);
    expect(err).toMatchObject({ resourceType: "bid", resourceId: "bid_1" });
  });

  it("raises BidNotFoundError when getBid finds no such bid in a listing", async () => {
    server.handle((req, res) => (req.path === "/v2/projects" ? json(res, 200, PROJECTS) : json(res, 200, { data: [] })));
    await expect(client.getBid("bid_missing")).rejects.toBeInstanceOf(BidNotFoundError);
  });

  it("raises NetworkError when the server resets the connection", async () => {
    server.handle((_req, res) => res.socket?.destroy());
    const err = (await client.listProjects().catch((e: unknown) => e)) as NetworkError;
    expect(err).toBeInstanceOf(NetworkError);
    expect(err.requestSent).toBe(true);
    expect(err.message).toMatch(/GET \/v2\/projects failed/);
  });

  it("raises NetworkError, marked not sent, when nothing listens", async () => {
    const dead = await startScriptedServer();
    const url = dead.url;
    await dead.close();
    const c = new FcpClient({ apiKey: API_KEY, apiUrl: url, maxRetries: 0 });
    const err = (await c.listProjects().catch((e: unknown) => e)) as NetworkError;
    await c.close();
    expect(err).toBeInstanceOf(NetworkError);
    expect(err.requestSent).toBe(false);
    expect(err.message).toMatch(/ECONNREFUSED/);
  });

  it("raises TimeoutError when no answer comes in time", async () => {
    server.handle(() => {
      // Never answers.
    });
    const err = (await client.listProjects({ timeoutMs: 150 }).catch((e: unknown) => e)) as TimeoutError;
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.message).toMatch(/no answer within 150 ms/);
  });

  it("raises ProviderError for a response of an unexpected shape", async () => {
    answer(200, [{ nope: 1 }]);
    await expect(client.listProjects()).rejects.toBeInstanceOf(ProviderError);
  });

  it("raises ValidationError for bad input, before any request", async () => {
    const before = server.requests.length;
    await expect(client.createVolume({ name: "v", sizeGb: 0 })).rejects.toBeInstanceOf(ValidationError);
    expect(server.requests.length).toBe(before);
  });
});

describe("the API key never leaks", () => {
  let server: ScriptedServer;
  beforeAll(async () => {
    server = await startScriptedServer();
  });
  afterAll(() => server.close());

  function expectNoKey(err: unknown) {
    for (const text of [
      JSON.stringify(err),
      inspect(err, { depth: 10, showHidden: true }),
      String(err),
      (err as Error).stack ?? "",
      JSON.stringify((err as { responseBody?: unknown }).responseBody ?? null),
    ]) {
      expect(text).not.toContain(API_KEY);
      expect(text).not.toContain("SECRET-abcdef");
    }
  }

  it("is masked when a server echoes it back in every error format", async () => {
    const client = new FcpClient({ apiKey: API_KEY, apiUrl: server.url, maxRetries: 0 });
    const bodies = [
      [401, { detail: `Invalid key ${API_KEY}` }],
      [422, { error: { code: "X", message: `bad key ${API_KEY}`, details: { field: "authorization", value: `Bearer ${API_KEY}` } } }],
      [422, { detail: [{ loc: ["header", "Authorization"], msg: "bad", input: `Bearer ${API_KEY}` }] }],
      [500, `upstream said Authorization: Bearer ${API_KEY}`],
      [429, { detail: API_KEY, api_key: API_KEY }],
    ] as const;
    for (const [status, body] of bodies) {
      server.handle((_req, res) => json(res, status, body));
      const err = await client.listProjects().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FlowError);
      expectNoKey(err);
    }
    await client.close();
  });

  it("is not visible on the client, or on transport errors", async () => {
    const client = new FcpClient({ apiKey: API_KEY, apiUrl: server.url, maxRetries: 0 });
    expect(inspect(client, { depth: 10, showHidden: false })).not.toContain(API_KEY);
    expect(JSON.stringify(client)).not.toContain(API_KEY);
    server.handle((_req, res) => res.socket?.destroy());
    expectNoKey(await client.listProjects().catch((e: unknown) => e));
    expectNoKey(await client.listProjects({ timeoutMs: 1 }).catch((e: unknown) => e));
    await client.close();
  });

  it("is masked by redactSecrets in bearer headers and private keys", () => {
    expect(redactSecrets("Authorization: Bearer abcdefghijkl")).toBe("Authorization: Bearer [REDACTED]");
    expect(redactSecrets("x -----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY----- y")).toBe("x [REDACTED PRIVATE KEY] y");
  });

  it("refuses to build a client without a key, saying where to put one", () => {
    expect(() => new FcpClient({ apiKey: "" })).toThrow(AuthenticationError);
    expect(() => new FcpClient({ apiKey: " " })).toThrow(/No FCP API key/);
  });
});
