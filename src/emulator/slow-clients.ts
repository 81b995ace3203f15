// Bounded waits for clients that send slowly or not at all, and JSON answers for requests Node
// refuses before any handler runs (timeouts, malformed HTTP). Without these, a partial request
// holds its connection for Node's default 300 s and is then cut without a word.
import type { Server } from "node:http";
import type { Duplex } from "node:stream";

/** @default headers within 10 s, the whole request (headers and body) within 30 s */
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export interface SlowClientLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
}

/** The check interval Node needs to enforce the limits: a quarter of the shorter one, 50 ms to 1 s. */
export function checkingIntervalFor(limits: SlowClientLimits): number {
  return Math.max(50, Math.min(1_000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4)));
}

export function checkLimits(limits: SlowClientLimits): SlowClientLimits {
  for (const [name, ms] of Object.entries(limits)) {
    if (!Number.isFinite(ms) || ms <= 0) throw new RangeError(`${name} must be a positive number of milliseconds; got ${ms}.`);
  }
  // Node refuses a headers timeout longer than the request timeout.
  return { headersTimeoutMs: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs), requestTimeoutMs: limits.requestTimeoutMs };
}

export function applySlowClientLimits(server: Server, limits: SlowClientLimits): void {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Duplex) => answerClientError(err, socket, limits));
}

function answerClientError(err: NodeJS.ErrnoException, socket: Duplex, limits: SlowClientLimits): void {
  const writable = socket.writable && !(socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
  if (!writable || err.code === "ECONNRESET") {
    socket.destroy();
    return;
  }
  const [status, reason, code, message] =
    err.code === "ERR_HTTP_REQUEST_TIMEOUT"
      ? [
          408,
          "Request Timeout",
          "REQUEST_TIMEOUT",
          `The request was not complete in time: headers must arrive within ${limits.headersTimeoutMs} ms and the whole request within ${limits.requestTimeoutMs} ms. Send the request in one go.`,
        ]
      : err.code === "HPE_HEADER_OVERFLOW"
        ? [431, "Request Header Fields Too Large", "HEADERS_TOO_LARGE", "The request headers are too large. Send fewer or shorter headers."]
        : [400, "Bad Request", "BAD_REQUEST", `The request is not valid HTTP/1.1 (${err.code ?? err.message}).`];
  const body = JSON.stringify({ error: { code, message, details: null }, request_id: null });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
