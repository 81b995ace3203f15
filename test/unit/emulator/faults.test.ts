import { FaultInjector, faultConfig, routeMatches } from "../../../src/emulator/faults";

const BIDS = "/v2/spot/bids";

describe("routeMatches", () => {
  it.each([
    ["POST /v2/spot/bids", "POST", BIDS, BIDS, true],
    ["post /v2/spot/bids", "POST", BIDS, BIDS, true],
    ["GET /v2/spot/bids", "POST", BIDS, BIDS, false],
    ["/v2/spot/bids", "DELETE", BIDS, BIDS, true],
    ["PATCH /v2/spot/bids/{fid}", "PATCH", "/v2/spot/bids/{fid}", "/v2/spot/bids/bid_x", true],
    ["/v2/spot/bids/bid_x", "PATCH", "/v2/spot/bids/{fid}", "/v2/spot/bids/bid_x", true],
    ["/v2/spot/*", "GET", "/v2/spot/availability", "/v2/spot/availability", true],
    ["* /v2/volumes", "POST", "/v2/volumes", "/v2/volumes", true],
    ["/v2/volumes", "POST", "/v2/volumes/{fid}", "/v2/volumes/vol_1", false],
  ])("%s against %s %s → %s", (pattern, method, template, path, expected) => {
    expect(routeMatches(pattern, method, template, path)).toBe(expected);
  });
});

function draw(injector: FaultInjector, n: number): string[] {
  return Array.from({ length: n }, () => injector.before("GET", BIDS, BIDS)?.kind ?? "-");
}

describe("FaultInjector", () => {
  it("repeats the same decisions for the same seed, and different ones for another", () => {
    const a = new FaultInjector(1);
    const b = new FaultInjector(2);
    a.configure({ seed: 42, errors: { rate: 0.3 }, rateLimit: { rate: 0.2 } });
    b.configure({ seed: 42, errors: { rate: 0.3 }, rateLimit: { rate: 0.2 } });
    const first = draw(a, 200);
    expect(draw(b, 200)).toEqual(first);
    b.configure({ seed: 43, errors: { rate: 0.3 }, rateLimit: { rate: 0.2 } });
    expect(draw(b, 200)).not.toEqual(first);
    const errors = first.filter((k) => k === "error").length;
    expect(errors).toBeGreaterThan(20);
    expect(errors).toBeLessThan(100);
  });

  it("fires a counted rule exactly that many times, then stops", () => {
    const f = new FaultInjector(1);
    f.configure({ errors: { count: 2, statuses: [503] } });
    expect(draw(f, 5)).toEqual(["error", "error", "-", "-", "-"]);
    expect(f.describe()).toMatchObject({ remaining: { errors: 0 }, fired: { errors: 2 } });
  });

  it("scopes rules to routes, by rule or for all rules", () => {
    const f = new FaultInjector(1);
    f.configure({ routes: ["POST /v2/volumes"], drop: {} });
    expect(f.before("GET", BIDS, BIDS)).toBeUndefined();
    expect(f.before("POST", "/v2/volumes", "/v2/volumes")).toEqual({ kind: "drop" });
    f.configure({ failAfterWrite: { routes: ["POST /v2/spot/bids"], count: 1 } });
    expect(f.afterWrite("POST", "/v2/volumes", "/v2/volumes")).toBe(false);
    expect(f.afterWrite("POST", BIDS, BIDS)).toBe(true);
    expect(f.afterWrite("POST", BIDS, BIDS)).toBe(false);
  });

  it("answers 429 with the configured Retry-After", () => {
    const f = new FaultInjector(1);
    f.configure({ rateLimit: { count: 1, retryAfterSeconds: 7 } });
    expect(f.before("GET", BIDS, BIDS)).toEqual({ kind: "rateLimit", retryAfterSeconds: 7 });
  });

  it("adds latency with jitter inside the given bounds", () => {
    const f = new FaultInjector(1);
    f.configure({ latency: { ms: 100, jitterMs: 50 } });
    for (let i = 0; i < 50; i++) {
      const ms = f.latencyFor("GET", BIDS, BIDS);
      expect(ms).toBeGreaterThanOrEqual(100);
      expect(ms).toBeLessThan(150);
    }
  });

  it.each([
    [{ errors: { rate: 2 } }],
    [{ errors: { statuses: [200] } }],
    [{ unknown: true }],
    [{ latency: { ms: -1 } }],
  ])("refuses the configuration %j", (config) => {
    expect(faultConfig.safeParse(config).success).toBe(false);
  });
});
