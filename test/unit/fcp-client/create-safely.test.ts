import type { ServerResponse } from "node:http";
import { FcpClient } from "../../../src/fcp-client/client";
import { AmbiguousCreateError, NetworkError } from "../../../src/fcp-api/errors";
import { PROJECTS, type RecordedRequest, type ScriptedServer, fakeClock, json, startScriptedServer } from "./scripted-server";

/**
 * A tiny stateful FCP: bids, volumes and keys in memory. `onPost` decides, per POST, whether to
 * store the resource and how to answer; the default stores it and answers 201.
 */
type PostFate = "ok" | "store-then-reset" | "store-then-500" | "store-then-hang" | "reset" | "502" | "429" | "store-later";

describe("creates are never blindly repeated", () => {
  let server: ScriptedServer;
  let store: Record<string, Array<Record<string, unknown>>>;
  let fates: PostFate[];
  let pendingCommit: (() => void) | undefined;
  let lists: number;
  let listFails: boolean;
  let n = 0;

  beforeAll(async () => {
    server = await startScriptedServer();
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
    store = { "/v2/spot/bids": [], "/v2/volumes": [], "/v2/ssh-keys": [] };
    fates = [];
    pendingCommit = undefined;
    lists = 0;
    listFails = false;
    server.handle(handler);
  });

  function handler(req: RecordedRequest, res: ServerResponse) {
    if (req.path === "/v2/projects") return json(res, 200, PROJECTS);
    const coll = store[req.path];
    if (!coll) return json(res, 404, { detail: "Not Found" });
    if (req.method === "GET") {
      // createBid first lists the project's SSH keys for required ones; that is not a lookup.
      const requiredKeysLookup = req.path === "/v2/ssh-keys" && !posts().some((p) => p.path === "/v2/ssh-keys");
      if (!requiredKeysLookup) lists++;
      if (listFails && !requiredKeysLookup) return json(res, 401, { detail: "key revoked" });
      const data = [...coll];
      // A commit the server finishes only after the client's first look.
      if (pendingCommit) {
        pendingCommit();
        pendingCommit = undefined;
      }
      return json(res, 200, req.path === "/v2/spot/bids" ? { data } : data);
    }
    const body = req.body as Record<string, unknown>;
    const made = {
      ...body,
      fid: `${req.path === "/v2/spot/bids" ? "bid" : req.path === "/v2/volumes" ? "vol" : "ssh-key"}_${++n}`,
      status: "pending",
      capacity_gb: body.size_gb,
      created_at: "2025-07-02T12:00:00Z",
    };
    const fate = fates.shift() ?? "ok";
    switch (fate) {
      case "ok":
        coll.push(made);
        return json(res, 201, made);
      case "store-then-reset":
        coll.push(made);
        return res.socket?.destroy();
      case "store-then-500":
        coll.push(made);
        return json(res, 500, { error: { code: "INTERNAL", message: "oops" } });
      case "store-then-hang":
        coll.push(made);
        return; // never answers
      case "store-later":
        pendingCommit = () => coll.push(made);
        return res.socket?.destroy();
      case "reset":
        return res.socket?.destroy();
      case "502":
        return json(res, 502, { detail: "bad gateway" });
      case "429":
        return json(res, 429, { detail: "slow" }, { "retry-after": "2" });
    }
  }

  function client(fake = fakeClock(), extra: Partial<ConstructorParameters<typeof FcpClient>[0]> = {}) {
    return new FcpClient({
      apiKey: "fcp-key-create-00000000",
      apiUrl: server.url,
      project: "my-project",
      region: "us-central1-a",
      clock: fake.clock,
      instanceTypes: { useBuiltin: true },
      ...extra,
    });
  }
  const posts = () => server.requests.filter((r) => r.method === "POST");
  const bid = { name: "train-1", instanceType: "a100", limitPrice: "$10.00" };

  it.each<PostFate>(["store-then-reset", "store-then-500"])(
    "adopts the bid the server made when the answer is lost (%s): one POST, one bid",
    async (fate) => {
      fates = [fate];
      const c = client();
      const made = await c.createBid(bid);
      expect(store["/v2/spot/bids"]).toHaveLength(1);
      expect(made.fid).toBe(store["/v2/spot/bids"][0].fid);
      expect(posts()).toHaveLength(1);
      await c.close();
    },
  );

  it("adopts the bid after a timeout once the request was sent", async () => {
    fates = ["store-then-hang"];
    const c = client(fakeClock(), { timeoutMs: 250 });
    const made = await c.createBid(bid);
    expect(store["/v2/spot/bids"]).toHaveLength(1);
    expect(made.name).toBe("train-1");
    expect(posts()).toHaveLength(1);
    await c.close();
  });

  it("waits a settle period and looks again before re-sending, catching a late commit", async () => {
    fates = ["store-later"];
    const fake = fakeClock();
    const c = client(fake, { createSettleMs: 1500 });
    await c.createBid(bid);
    expect(store["/v2/spot/bids"]).toHaveLength(1);
    expect(posts()).toHaveLength(1);
    expect(lists).toBe(2);
    expect(fake.sleeps).toContain(1500);
    await c.close();
  });

  it("re-sends only after two lookups prove the bid absent", async () => {
    fates = ["reset"];
    const c = client();
    await c.createBid(bid);
    expect(store["/v2/spot/bids"]).toHaveLength(1);
    expect(posts()).toHaveLength(2);
    expect(lists).toBe(2);
    // Both sends carried the same idempotency key.
    expect(posts()[0].headers["idempotency-key"]).toBe(posts()[1].headers["idempotency-key"]);
    await c.close();
  });

  it("re-sends after a 502 only once the lookups prove absence", async () => {
    fates = ["502"];
    const c = client();
    await c.createBid(bid);
    expect(store["/v2/spot/bids"]).toHaveLength(1);
    expect(posts()).toHaveLength(2);
    await c.close();
  });

  it("re-sends after a 429 at once (refused, so nothing made), honouring Retry-After", async () => {
    fates = ["429"];
    const fake = fakeClock();
    const c = client(fake);
    await c.createBid(bid);
    expect(store["/v2/spot/bids"]).toHaveLength(1);
    expect(posts()).toHaveLength(2);
    expect(lists).toBe(0);
    expect(fake.sleeps).toEqual([2000]);
    await c.close();
  });

  it("fails with AmbiguousCreateError, naming the bid, when the lookup fails too", async () => {
    fates = ["store-then-reset"];
    listFails = true;
    const c = client();
    const err = await c.createBid(bid).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AmbiguousCreateError);
    expect((err as AmbiguousCreateError).message).toMatch(/Creating bid "train-1" failed ambiguously/);
    expect((err as AmbiguousCreateError).suggestions.join(" ")).toMatch(/look for "train-1"/);
    expect(posts()).toHaveLength(1);
    await c.close();
  });

  it("gives up with the original error when every send is lost and nothing was made", async () => {
    fates = ["reset", "reset", "reset"];
    const c = client(fakeClock(), { maxRetries: 2 });
    await expect(c.createBid(bid)).rejects.toBeInstanceOf(NetworkError);
    expect(store["/v2/spot/bids"]).toHaveLength(0);
    expect(posts()).toHaveLength(3);
    await c.close();
  });

  it("does not adopt an old namesake with a different instance type", async () => {
    store["/v2/spot/bids"].push({ fid: "bid_old", name: "train-1", instance_type: "it_J7OyNf9idfImLIFo", status: "running", created_at: "2025-07-02T11:59:00Z" });
    fates = ["reset"];
    const c = client();
    const made = await c.createBid(bid);
    expect(made.fid).not.toBe("bid_old");
    expect(posts()).toHaveLength(2);
    await c.close();
  });

  it("does not adopt a same-named bid created a day before this call", async () => {
    store["/v2/spot/bids"].push({ fid: "bid_old", name: "train-1", instance_type: "it_MsIRhxj3ccyVWGfP", status: "running", created_at: "2025-07-01T12:00:00Z" });
    fates = ["reset"];
    const c = client();
    const made = await c.createBid(bid);
    expect(made.fid).not.toBe("bid_old");
    await c.close();
  });

  it("adopts a volume after a lost answer: no duplicate volume", async () => {
    fates = ["store-then-reset"];
    const c = client();
    const vol = await c.createVolume({ name: "data", sizeGb: 10 });
    expect(store["/v2/volumes"]).toHaveLength(1);
    expect(vol.fid).toBe(store["/v2/volumes"][0].fid);
    expect(posts()).toHaveLength(1);
    await c.close();
  });

  it("adopts an SSH key after a lost answer: no duplicate key", async () => {
    fates = ["store-then-500"];
    const c = client();
    const key = await c.createSshKey({ name: "deploy", publicKey: "ssh-ed25519 AAAAC3 me@host" });
    expect(store["/v2/ssh-keys"]).toHaveLength(1);
    expect(key.fid).toBe(store["/v2/ssh-keys"][0].fid);
    expect(posts()).toHaveLength(1);
    await c.close();
  });
});
