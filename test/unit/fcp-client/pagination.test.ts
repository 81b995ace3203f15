import { FcpClient } from "../../../src/fcp-client/client";
import { ProviderError } from "../../../src/fcp-api/errors";
import { PagedList } from "../../../src/fcp-client/pagination";
import { PROJECTS, type ScriptedServer, json, startScriptedServer, wireBid } from "./scripted-server";

/** Serves `total` bids in pages of `size`, cursor = next offset. */
function pagedBids(total: number, size: number) {
  const all = Array.from({ length: total }, (_, i) => wireBid(i));
  return (cursor: string | null) => {
    const start = cursor ? Number(cursor.replace("c-", "")) : 0;
    const data = all.slice(start, start + size);
    const next = start + size < total ? `c-${start + size}` : null;
    return { data, next_cursor: next };
  };
}

describe("pagination over real HTTP", () => {
  let server: ScriptedServer;
  let client: FcpClient;
  beforeAll(async () => {
    server = await startScriptedServer();
  });
  afterAll(async () => {
    await client.close();
    await server.close();
  });
  beforeEach(() => {
    server.requests.length = 0;
    client = new FcpClient({ apiKey: "fcp-key-pages-000000", apiUrl: server.url, project: "my-project", maxPages: 50 });
  });

  it("follows next_cursor to the end when awaited", async () => {
    const page = pagedBids(250, 100);
    server.handle((req, res) => (req.path === "/v2/projects" ? json(res, 200, PROJECTS) : json(res, 200, page(req.query.get("next_cursor")))));
    const bids = await client.listBids();
    expect(bids).toHaveLength(250);
    expect(bids[249].fid).toBe("bid_000249");
    const listReqs = server.requests.filter((r) => r.path === "/v2/spot/bids");
    expect(listReqs.map((r) => r.query.get("next_cursor"))).toEqual([null, "c-100", "c-200"]);
    expect(listReqs.every((r) => r.query.get("project") === "proj_abc123")).toBe(true);
  });

  it("streams item by item in for await, fetching pages lazily", async () => {
    const page = pagedBids(250, 100);
    server.handle((req, res) => (req.path === "/v2/projects" ? json(res, 200, PROJECTS) : json(res, 200, page(req.query.get("next_cursor")))));
    const seen: string[] = [];
    for await (const bid of client.listBids({ status: "pending" })) {
      seen.push(bid.fid);
      if (seen.length === 150) break;
    }
    expect(seen).toHaveLength(150);
    const listReqs = server.requests.filter((r) => r.path === "/v2/spot/bids");
    expect(listReqs).toHaveLength(2);
    expect(listReqs[0].query.get("status")).toBe("pending");
  });

  it("accepts a bare array as a single page", async () => {
    server.handle((req, res) => (req.path === "/v2/projects" ? json(res, 200, PROJECTS) : json(res, 200, [wireBid(1), wireBid(2)])));
    await expect(client.listBids()).resolves.toHaveLength(2);
  });

  it("folds the live service's launch_specification and price spellings", async () => {
    server.handle((req, res) =>
      req.path === "/v2/projects"
        ? json(res, 200, PROJECTS)
        : json(res, 200, {
            data: [
              {
                fid: "bid_live",
                instance_type: "it_MsIRhxj3ccyVWGfP",
                price: "$3.25",
                status: "Allocated",
                launch_specification: { ssh_keys: ["ssh-key_9"], startup_script: "echo", volumes: ["vol_1"] },
                unknown_field: { nested: true },
              },
            ],
          }),
    );
    const [bid] = await client.listBids();
    expect(bid).toMatchObject({ status: "allocated", limitPriceCents: 325, sshKeys: ["ssh-key_9"], startupScript: "echo", volumes: ["vol_1"] });
  });

  it("paginates instances too", async () => {
    server.handle((req, res) => {
      if (req.path === "/v2/projects") return json(res, 200, PROJECTS);
      const c = req.query.get("next_cursor");
      json(res, 200, c ? { data: [{ fid: "inst_2", status: "running" }] } : { data: [{ fid: "inst_1", status: "pending" }], next_cursor: "x" });
    });
    await expect(client.listInstances()).resolves.toEqual([expect.objectContaining({ fid: "inst_1" }), expect.objectContaining({ fid: "inst_2" })]);
  });

  it("stops at the safety cap with a ProviderError", async () => {
    let i = 0;
    server.handle((req, res) => (req.path === "/v2/projects" ? json(res, 200, PROJECTS) : json(res, 200, { data: [wireBid(i)], next_cursor: `c-${++i}` })));
    const err = await client.listBids().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as Error).message).toMatch(/did not end after 50 pages/);
    expect(server.requests.filter((r) => r.path === "/v2/spot/bids")).toHaveLength(50);
  });

  it("stops when a server repeats a cursor instead of looping", async () => {
    server.handle((req, res) => (req.path === "/v2/projects" ? json(res, 200, PROJECTS) : json(res, 200, { data: [wireBid(1)], next_cursor: "same" })));
    await expect(client.listBids().toArray()).rejects.toThrow(/returned the cursor "same" twice/);
  });
});

describe("PagedList", () => {
  it("is awaitable more than once without refetching, and iterable afresh", async () => {
    const fetch = jest.fn(async (cursor: string | undefined) => (cursor ? { data: [3] } : { data: [1, 2], nextCursor: "n" }));
    const list = new PagedList<number>(fetch);
    expect(await list).toEqual([1, 2, 3]);
    expect(await list).toEqual([1, 2, 3]);
    expect(fetch).toHaveBeenCalledTimes(2);
    const streamed: number[] = [];
    for await (const x of list) streamed.push(x);
    expect(streamed).toEqual([1, 2, 3]);
    const pages: number[][] = [];
    for await (const p of list.pages()) pages.push(p.data);
    expect(pages).toEqual([[1, 2], [3]]);
  });
});
