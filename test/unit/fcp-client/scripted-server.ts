// A real HTTP server on 127.0.0.1:0 whose answers each test scripts. Records every request.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Socket } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  body: unknown;
}

export type Handler = (req: RecordedRequest, res: ServerResponse) => unknown;

export interface ScriptedServer {
  url: string;
  requests: RecordedRequest[];
  /** Replaces the handler for the next requests. */
  handle(handler: Handler): void;
  close(): Promise<void>;
}

export async function startScriptedServer(initial?: Handler): Promise<ScriptedServer> {
  let handler: Handler = initial ?? ((_req, res) => json(res, 404, { detail: "Not Found" }));
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://localhost");
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown = undefined;
      if (text) {
        try {
          body = JSON.parse(text);
        } catch {
          body = text;
        }
      }
      const recorded: RecordedRequest = { method: req.method ?? "GET", path: url.pathname, query: url.searchParams, headers: req.headers, body };
      requests.push(recorded);
      Promise.resolve(handler(recorded, res)).catch((e: unknown) => {
        if (!res.headersSent) json(res, 599, { detail: String(e) });
      });
    });
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    handle(h) {
      handler = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? "" : JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(text);
}

/** A fake clock: `sleep` records the wait and advances time at once. */
export function fakeClock(start = Date.parse("2025-07-02T12:00:00Z")) {
  const sleeps: number[] = [];
  let now = start;
  let rnd = 0.5;
  return {
    sleeps,
    setRandom(v: number) {
      rnd = v;
    },
    advance(ms: number) {
      now += ms;
    },
    clock: {
      now: () => now,
      random: () => rnd,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        now += ms;
      },
    },
  };
}

export const PROJECTS = [
  { fid: "proj_abc123", name: "my-project", created_at: "2024-01-01T00:00:00Z" },
  { fid: "proj_other9", name: "other", created_at: "2024-01-01T00:00:00Z" },
];

export function wireBid(i: number, extra: Record<string, unknown> = {}) {
  return {
    fid: `bid_${String(i).padStart(6, "0")}`,
    name: `job-${i}`,
    project: "proj_abc123",
    created_by: "user_1",
    region: "us-central1-a",
    instance_type: "it_MsIRhxj3ccyVWGfP",
    instance_quantity: 1,
    limit_price: "$15.00",
    status: "pending",
    ssh_keys: ["ssh-key_1"],
    startup_script: "#!/bin/bash\necho hi",
    volumes: [],
    created_at: "2025-07-02T11:59:00Z",
    updated_at: "2025-07-02T11:59:00Z",
    ...extra,
  };
}
