// Injected faults over HTTP: they fire as configured, repeat exactly under a seed, and the
// "fail after the write" fault applies a change whose answer never arrives.
import { FcpClient } from "../../../src/fcp-client/client";
import type { RunningEmulator } from "../../../src/emulator";
import { bidBody, call, listAll, startTest } from "./helpers";

let emu: RunningEmulator;
beforeEach(async () => {
  emu = await startTest();
});
afterEach(() => emu.close());

async function faults(config: unknown) {
  const reply = await call(emu, "POST", "/_emulator/faults", config, { key: null });
  expect(reply.status).toBe(200);
  return reply.body;
}

describe("injected faults", () => {
  it("fails the next N matching requests with the given status, applying nothing", async () => {
    await faults({ errors: { count: 2, statuses: [503] }, routes: ["POST /v2/spot/bids"] });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(emu, "POST", "/v2/spot/bids", bidBody(emu, { name: `e${i}` }))).status);
    expect(statuses).toEqual([503, 503, 201]);
    expect((await listAll(emu, "/v2/spot/bids")).map((b) => b.name)).toEqual(["e2"]);
    expect((await call(emu, "GET", "/v2/projects")).status).toBe(200);
    const described = (await call(emu, "GET", "/_emulator/faults", undefined, { key: null })).body;
    expect(described).toMatchObject({ remaining: { errors: 0 }, fired: { errors: 2 } });
  });

  it("answers 429 with Retry-After", async () => {
    await faults({ rateLimit: { count: 1, retryAfterSeconds: 3 } });
    const reply = await call(emu, "GET", "/v2/projects");
    expect(reply.status).toBe(429);
    expect(reply.headers["retry-after"]).toBe("3");
    expect(reply.body.error.code).toBe("RATE_LIMITED");
  });

  it("adds latency", async () => {
    await faults({ latency: { ms: 250 }, routes: ["GET /v2/me"] });
    const started = Date.now();
    expect((await call(emu, "GET", "/v2/me")).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(245);
  });

  it("drops the connection before handling: nothing applied", async () => {
    await faults({ drop: { count: 1 }, routes: ["POST /v2/volumes"] });
    const body = { name: "d", size_gb: 1, project: emu.projectFid, region: "us-central1-a" };
    await expect(call(emu, "POST", "/v2/volumes", body)).rejects.toThrow(/other side closed|socket|ECONNRESET/i);
    expect((await call(emu, "GET", "/v2/volumes")).body).toEqual([]);
  });

  it("fails after the write: the bid exists though its answer never came", async () => {
    await faults({ failAfterWrite: { count: 1, routes: ["POST /v2/spot/bids"] } });
    await expect(call(emu, "POST", "/v2/spot/bids", bidBody(emu, { name: "ghost" }))).rejects.toThrow(/other side closed|socket|ECONNRESET/i);
    expect((await listAll(emu, "/v2/spot/bids")).map((b) => b.name)).toEqual(["ghost"]);
    const counts = (await call(emu, "GET", "/_emulator/requests", undefined, { key: null })).body;
    expect(counts.responses["POST /v2/spot/bids dropped"]).toBe(1);
  });

  it("does not fail after a write that was refused", async () => {
    await faults({ failAfterWrite: { count: 1 } });
    expect((await call(emu, "POST", "/v2/spot/bids", bidBody(emu, { limit_price: 3 }))).status).toBe(422);
    expect((await call(emu, "GET", "/_emulator/faults", undefined, { key: null })).body.fired.failAfterWrite).toBe(0);
  });

  it("repeats exactly under the same seed", async () => {
    const run = async () => {
      await faults({ seed: 7, errors: { rate: 0.4, statuses: [500, 502, 503] }, rateLimit: { rate: 0.1 } });
      const out: number[] = [];
      for (let i = 0; i < 40; i++) out.push((await call(emu, "GET", "/v2/projects")).status);
      return out;
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(new Set(first)).toEqual(new Set([200, 429, 500, 502, 503]));
  });

  it("never faults the admin API", async () => {
    await faults({ errors: {}, drop: {} });
    expect((await call(emu, "GET", "/_emulator/state", undefined, { key: null })).status).toBe(200);
    expect((await call(emu, "DELETE", "/_emulator/faults", undefined, { key: null })).status).toBe(200);
    expect((await call(emu, "GET", "/v2/projects")).status).toBe(200);
  });

  it("rejects a malformed fault configuration with a 422", async () => {
    const reply = await call(emu, "POST", "/_emulator/faults", { errors: { rate: 5 } }, { key: null });
    expect(reply.status).toBe(422);
    expect(reply.body.error.details.field).toBe("errors.rate");
  });
});

describe("FcpClient against injected faults", () => {
  it("creates each bid exactly once through 503s, 429s and lost answers", async () => {
    const fcp = new FcpClient({
      apiKey: emu.apiKey,
      apiUrl: emu.url,
      project: "my-project",
      region: "us-central1-a",
      env: {},
      retryBaseDelayMs: 1,
      maxRetryDelayMs: 20,
      createSettleMs: 1,
      maxRetries: 8,
    });
    try {
      await faults({
        seed: 4,
        errors: { rate: 0.1, statuses: [503] },
        rateLimit: { rate: 0.1, retryAfterSeconds: 0 },
        failAfterWrite: { rate: 0.3, routes: ["POST /v2/spot/bids"] },
      });
      const names = Array.from({ length: 20 }, (_, i) => `safe-${i}`);
      for (const name of names) await fcp.createBid({ name, instanceType: "a100", limitPrice: "$3.00" });
      const { fired } = (await call(emu, "GET", "/_emulator/faults", undefined, { key: null })).body;
      expect(fired.failAfterWrite).toBeGreaterThan(2);
      expect(fired.errors + fired.rateLimit).toBeGreaterThan(2);
      await call(emu, "DELETE", "/_emulator/faults", undefined, { key: null });
      const listed = await listAll(emu, "/v2/spot/bids");
      expect(listed.map((b) => b.name).sort()).toEqual([...names].sort());
    } finally {
      await fcp.close();
    }
  });
});
