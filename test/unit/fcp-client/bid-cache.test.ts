import { FcpClient } from "../../../src/fcp-client/client";
import { BidNotFoundError } from "../../../src/fcp-api/errors";
import { PROJECTS, type ScriptedServer, fakeClock, json, startScriptedServer, wireBid } from "./scripted-server";

const PAGE = 100;

describe("getBid shares listings (single-flight + short TTL + write-through)", () => {
  let server: ScriptedServer;
  let bids: Array<ReturnType<typeof wireBid>>;
  let failListings = 0;
  beforeAll(async () => {
    server = await startScriptedServer((req, res) => {
      if (req.path === "/v2/projects") return json(res, 200, PROJECTS);
      if (req.path === "/v2/spot/bids" && req.method === "GET") {
        if (failListings > 0) {
          failListings--;
          return json(res, 503, { detail: "busy" });
        }
        const start = Number(req.query.get("next_cursor") ?? 0);
        const data = bids.slice(start, start + PAGE);
        return json(res, 200, { data, next_cursor: start + PAGE < bids.length ? String(start + PAGE) : null });
      }
      if (req.path === "/v2/spot/bids" && req.method === "POST") {
        const made = { ...(req.body as object), fid: `bid_new${bids.length}`, status: "pending" };
        bids.push(made as ReturnType<typeof wireBid>);
        return json(res, 201, made);
      }
      if (req.method === "PATCH") return json(res, 200, { ...bids[0], limit_price: "$99.00" });
      if (req.method === "DELETE") return json(res, 204, undefined);
      json(res, 404, { detail: "Not Found" });
    });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
    failListings = 0;
    bids = Array.from({ length: 500 }, (_, i) => wireBid(i));
  });

  const listRequests = () => server.requests.filter((r) => r.method === "GET" && r.path === "/v2/spot/bids").length;

  function client(fake = fakeClock()) {
    return new FcpClient({
      apiKey: "fcp-key-cache-0000000",
      apiUrl: server.url,
      project: "my-project",
      region: "us-central1-a",
      clock: fake.clock,
      bidCacheTtlMs: 2000,
      instanceTypes: { useBuiltin: true },
    });
  }

  it("serves 100 concurrent getBid over 500 bids with one listing (5 pages)", async () => {
    const c = client();
    const fids = Array.from({ length: 100 }, (_, i) => `bid_${String(i * 5 + 3).padStart(6, "0")}`);
    const got = await Promise.all(fids.map((f) => c.getBid(f)));
    expect(got.map((b) => b.fid)).toEqual(fids);
    expect(listRequests()).toBe(5);
    await c.close();
  });

  it("serves from the cache within the TTL and lists again after it", async () => {
    const fake = fakeClock();
    const c = client(fake);
    await c.getBid("bid_000001");
    fake.advance(1500);
    await c.getBid("bid_000002");
    expect(listRequests()).toBe(5);
    fake.advance(1000);
    await c.getBid("bid_000002");
    expect(listRequests()).toBe(10);
    await c.close();
  });

  it("maxAgeMs: 0 forces a fresh listing", async () => {
    const c = client();
    await c.getBid("bid_000001");
    await c.getBid("bid_000001", { maxAgeMs: 0 });
    expect(listRequests()).toBe(10);
    await c.close();
  });

  it("sees its own create at once (write-through), with no listing", async () => {
    const c = client();
    const made = await c.createBid({ name: "mine", instanceType: "a100", limitPrice: "$5.00" });
    await expect(c.getBid(made.fid)).resolves.toMatchObject({ name: "mine" });
    expect(listRequests()).toBe(0);
    await c.close();
  });

  it("sees its own update and cancel at once", async () => {
    const c = client();
    await c.getBid("bid_000000");
    await c.updateBid("bid_000000", { limitPrice: "$99.00" });
    await expect(c.getBid("bid_000000")).resolves.toMatchObject({ limitPriceCents: 9900 });
    await c.cancelBid("bid_000000");
    await expect(c.getBid("bid_000000")).resolves.toMatchObject({ status: "cancelled" });
    expect(listRequests()).toBe(5);
    await c.close();
  });

  it("says BidNotFoundError only after a listing that began after the call", async () => {
    const c = client();
    const [a, b] = await Promise.allSettled([c.getBid("bid_000001"), c.getBid("bid_nope")]);
    expect(a.status).toBe("fulfilled");
    expect(b.status).toBe("rejected");
    expect((b as PromiseRejectedResult).reason).toBeInstanceOf(BidNotFoundError);
    expect(((b as PromiseRejectedResult).reason as Error).message).toMatch(/Bid bid_nope was not found in project proj_abc123/);
    await c.close();
  });

  it("finds a bid another program created after a cached listing", async () => {
    const c = client();
    await c.getBid("bid_000001");
    bids.push(wireBid(9999));
    await expect(c.getBid("bid_009999")).resolves.toMatchObject({ fid: "bid_009999" });
    // 5 pages, then 6 now that there are 501 bids.
    expect(listRequests()).toBe(11);
    await c.close();
  });

  it("drops a cached bid that a later listing no longer contains", async () => {
    const fake = fakeClock();
    const c = client(fake);
    await c.getBid("bid_000007");
    bids = bids.filter((b) => b.fid !== "bid_000007");
    fake.advance(5000);
    await expect(c.getBid("bid_000007")).rejects.toBeInstanceOf(BidNotFoundError);
    await c.close();
  });

  it("runs a shared listing with the client's retry settings, not those of the caller that made the cache", async () => {
    const c = client();
    // The first lookup builds the project's cache; its per-call maxRetries: 0 is its own business.
    await c.getBid("bid_000001", { maxRetries: 0 });
    failListings = 1;
    await expect(c.getBid("bid_000002", { maxAgeMs: 0 })).resolves.toMatchObject({ fid: "bid_000002" });
    await c.close();
  });
});
