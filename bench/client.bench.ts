// What shared lookups buy: 100 concurrent getBid over 500 bids, against a local paginated
// server, with the client's single-flight cache versus the naive "list and filter" per call.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { FcpClient } from "../src/fcp-client/client";

export type { BenchResult } from "./bench-result";
import type { BenchResult } from "./bench-result";

const BIDS = 500;
const PAGE = 100;
const LOOKUPS = 100;

interface LocalServer {
  url: string;
  listRequests: () => number;
  reset: () => void;
  close: () => Promise<void>;
}

async function startBidServer(): Promise<LocalServer> {
  const bids = Array.from({ length: BIDS }, (_, i) => ({
    fid: `bid_${String(i).padStart(6, "0")}`,
    name: `job-${i}`,
    project: "proj_bench",
    region: "us-central1-a",
    instance_type: "it_MsIRhxj3ccyVWGfP",
    instance_quantity: 1,
    limit_price: "$15.00",
    status: "running",
    created_at: "2025-07-02T12:00:00Z",
  }));
  let lists = 0;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    req.resume();
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      if (url.pathname === "/v2/projects") return res.end(JSON.stringify([{ fid: "proj_bench", name: "bench" }]));
      if (url.pathname === "/v2/spot/bids") {
        lists++;
        const start = Number(url.searchParams.get("next_cursor") ?? 0);
        const next = start + PAGE < bids.length ? String(start + PAGE) : null;
        return res.end(JSON.stringify({ data: bids.slice(start, start + PAGE), next_cursor: next }));
      }
      res.statusCode = 404;
      res.end(JSON.stringify({ detail: "Not Found" }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    listRequests: () => lists,
    reset: () => {
      lists = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function fids(): string[] {
  // Spread over every page, so the naive way cannot stop early on page one.
  return Array.from({ length: LOOKUPS }, (_, i) => `bid_${String((i * 5 + 3) % BIDS).padStart(6, "0")}`);
}

export async function run(): Promise<BenchResult[]> {
  const server = await startBidServer();
  const pages = Math.ceil(BIDS / PAGE);
  try {
    const options = { apiKey: "fcp-bench-key-000000", apiUrl: server.url, project: "bench", maxConcurrency: 8 };

    const cachedClient = new FcpClient(options);
    await cachedClient.resolveProjectFid();
    server.reset();
    let t0 = process.hrtime.bigint();
    await Promise.all(fids().map((f) => cachedClient.getBid(f)));
    const cachedMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const cachedLists = server.listRequests();
    await cachedClient.close();

    const naiveClient = new FcpClient(options);
    await naiveClient.resolveProjectFid();
    server.reset();
    t0 = process.hrtime.bigint();
    // The naive way the seed describes: every lookup lists all bids and filters.
    await Promise.all(
      fids().map(async (f) => {
        const all = await naiveClient.listBids();
        if (!all.some((b) => b.fid === f)) throw new Error(`bench: ${f} missing`);
      }),
    );
    const naiveMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const naiveLists = server.listRequests();
    await naiveClient.close();

    return [
      {
        name: `getBid x${LOOKUPS} concurrent over ${BIDS} bids: list requests (cached)`,
        value: cachedLists,
        unit: "requests",
        target: `<= ${pages} (one full listing)`,
        ok: cachedLists <= pages,
      },
      {
        name: `getBid x${LOOKUPS} concurrent over ${BIDS} bids: list requests (naive list-and-filter)`,
        value: naiveLists,
        unit: "requests",
        target: `${LOOKUPS} x ${pages} pages`,
      },
      { name: "list request reduction (naive / cached)", value: Math.round((naiveLists / Math.max(cachedLists, 1)) * 10) / 10, unit: "x" },
      { name: `getBid x${LOOKUPS} wall time (cached)`, value: Math.round(cachedMs * 10) / 10, unit: "ms" },
      { name: `getBid x${LOOKUPS} wall time (naive)`, value: Math.round(naiveMs * 10) / 10, unit: "ms" },
    ];
  } finally {
    await server.close();
  }
}
