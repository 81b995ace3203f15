import { FcpClient } from "../../../src/fcp-client/client";
import { APIError, FlowError, NetworkError, RateLimitError, RequestAbortedError } from "../../../src/fcp-api/errors";
import { backoffDelayMs, parseRetryAfterMs, withRetry } from "../../../src/fcp-client/retry";
import { PROJECTS, type ScriptedServer, fakeClock, json, startScriptedServer } from "./scripted-server";

describe("retries over real HTTP with an injected clock", () => {
  let server: ScriptedServer;
  beforeAll(async () => {
    server = await startScriptedServer();
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
  });

  function client(fake: ReturnType<typeof fakeClock>, extra: Partial<ConstructorParameters<typeof FcpClient>[0]> = {}) {
    return new FcpClient({ apiKey: "fcp-key-retry-000000", apiUrl: server.url, clock: fake.clock, retryBaseDelayMs: 500, maxRetryDelayMs: 8000, ...extra });
  }

  /** Answers the given statuses in turn (then 200 with projects). */
  function script(steps: Array<[number, Record<string, string>?] | "reset">) {
    let i = 0;
    server.handle((_req, res) => {
      const step = steps[i++];
      if (step === undefined) return json(res, 200, PROJECTS);
      if (step === "reset") return res.socket?.destroy();
      json(res, step[0], { detail: `status ${step[0]}` }, step[1] ?? {});
    });
  }

  it("honours an integer Retry-After on 429 exactly (no jitter)", async () => {
    const fake = fakeClock();
    script([[429, { "retry-after": "3" }], [429, { "retry-after": "1" }]]);
    const c = client(fake);
    await expect(c.listProjects()).resolves.toHaveLength(2);
    expect(fake.sleeps).toEqual([3000, 1000]);
    expect(server.requests).toHaveLength(3);
    await c.close();
  });

  it("honours an HTTP-date Retry-After against the injected clock", async () => {
    const fake = fakeClock(Date.parse("2025-07-02T12:00:00Z"));
    script([[429, { "retry-after": "Wed, 02 Jul 2025 12:00:05 GMT" }]]);
    const c = client(fake);
    await c.listProjects();
    expect(fake.sleeps).toEqual([5000]);
    await c.close();
  });

  it("honours Retry-After on a 503 too", async () => {
    const fake = fakeClock();
    script([[503, { "retry-after": "2" }]]);
    const c = client(fake);
    await c.listProjects();
    expect(fake.sleeps).toEqual([2000]);
    await c.close();
  });

  it.each([502, 503, 504])("retries %d with exponential backoff and full jitter", async (status) => {
    const fake = fakeClock();
    fake.setRandom(0.5);
    script([[status], [status], [status]]);
    const c = client(fake);
    await expect(c.listProjects()).resolves.toHaveLength(2);
    // Ceilings 500, 1000, 2000 ms; random 0.5 → half of each.
    expect(fake.sleeps).toEqual([250, 500, 1000]);
    await c.close();
  });

  it("retries a reset connection for a GET", async () => {
    const fake = fakeClock();
    script(["reset"]);
    const c = client(fake);
    await expect(c.listProjects()).resolves.toHaveLength(2);
    expect(server.requests).toHaveLength(2);
    await c.close();
  });

  it("stops after maxRetries and throws the last error", async () => {
    const fake = fakeClock();
    script([[503], [503], [503], [503], [503]]);
    const c = client(fake, { maxRetries: 2 });
    await expect(c.listProjects()).rejects.toMatchObject({ statusCode: 503 });
    expect(server.requests).toHaveLength(3);
    expect(fake.sleeps).toHaveLength(2);
    await c.close();
  });

  it("a per-call maxRetries overrides the client's", async () => {
    const fake = fakeClock();
    script([[502], [502]]);
    const c = client(fake);
    await expect(c.listProjects({ maxRetries: 0 })).rejects.toMatchObject({ statusCode: 502 });
    expect(server.requests).toHaveLength(1);
    await c.close();
  });

  it("does not wait past the overall deadline: a Retry-After beyond it fails at once", async () => {
    const fake = fakeClock();
    script([[429, { "retry-after": "600" }]]);
    const c = client(fake, { retryDeadlineMs: 60_000 });
    const err = await c.listProjects().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).retryAfter).toBe(600);
    expect(fake.sleeps).toEqual([]);
    await c.close();
  });

  it("does not retry other 4xx", async () => {
    const fake = fakeClock();
    for (const status of [400, 401, 404, 422]) {
      server.requests.length = 0;
      script([[status]]);
      const c = client(fake);
      // The answer itself comes back as the mapped error, after exactly one attempt.
      const err = await c.listProjects().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FlowError);
      expect(err).toMatchObject({ statusCode: status });
      expect(server.requests).toHaveLength(1);
      await c.close();
    }
  });

  it("retries PATCH and DELETE like GET", async () => {
    const fake = fakeClock();
    let n = 0;
    server.handle((req, res) => {
      if (req.path === "/v2/projects") return json(res, 200, PROJECTS);
      if (n++ % 2 === 0) return json(res, 502, { detail: "bad gateway" });
      if (req.method === "PATCH") return json(res, 200, { fid: "bid_1", instance_type: "it_x", status: "pending", limit_price: "$2.00" });
      json(res, 204, undefined);
    });
    const c = client(fake, { project: "my-project" });
    await expect(c.updateBid("bid_1", { limitPrice: 2 })).resolves.toMatchObject({ limitPriceCents: 200 });
    await expect(c.deleteVolume("vol_1")).resolves.toBe(true);
    expect(server.requests.filter((r) => r.method === "PATCH")).toHaveLength(2);
    expect(server.requests.filter((r) => r.method === "DELETE")).toHaveLength(2);
    await c.close();
  });

  it("never repeats a POST the server refused with a 4xx", async () => {
    const fake = fakeClock();
    server.handle((req, res) => {
      if (req.path === "/v2/projects") return json(res, 200, PROJECTS);
      if (req.method === "POST") return json(res, 400, { detail: "no" });
      json(res, 200, []);
    });
    const c = client(fake, { project: "my-project", region: "r" });
    await expect(c.createSshKey({ name: "k" })).rejects.toBeInstanceOf(APIError);
    expect(server.requests.filter((r) => r.method === "POST")).toHaveLength(1);
    await c.close();
  });
});

describe("retry primitives", () => {
  it.each([
    ["0", 0],
    ["5", 5000],
    ["1.5", 1500],
    [" 2 ", 2000],
    ["Wed, 02 Jul 2025 12:00:10 GMT", 10_000],
    ["Wed, 02 Jul 2025 11:00:00 GMT", 0],
    ["soon", undefined],
    ["", undefined],
    [undefined, undefined],
  ])("parseRetryAfterMs(%p) is %p", (value, expected) => {
    expect(parseRetryAfterMs(value, Date.parse("2025-07-02T12:00:00Z"))).toBe(expected);
  });

  it("caps backoff at maxDelayMs and scales with random", () => {
    const policy = { baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelayMs(0, policy, () => 0.999)).toBe(99);
    expect(backoffDelayMs(3, policy, () => 0.5)).toBe(400);
    expect(backoffDelayMs(10, policy, () => 0.5)).toBe(500);
    expect(backoffDelayMs(10, policy, () => 0)).toBe(0);
  });

  it("stops waiting when the signal aborts", async () => {
    const ac = new AbortController();
    const attempt = jest.fn(async () => {
      ac.abort();
      throw new NetworkError("reset");
    });
    const fake = fakeClock();
    await expect(
      withRetry(attempt, {
        policy: { maxRetries: 5, baseDelayMs: 10, maxDelayMs: 10, deadlineMs: 1000 },
        clock: fake.clock,
        idempotent: true,
        signal: ac.signal,
      }),
    ).rejects.toBeInstanceOf(RequestAbortedError);
    expect(attempt).toHaveBeenCalledTimes(1);
  });
});
