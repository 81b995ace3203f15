// Reading request bodies with a size limit and writing JSON responses.
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiProblem, badRequest } from "./problem";

/** Bodies larger than this get a 413: no FCP request comes near it. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * How long a refused body may keep arriving after its 413 was sent. The answer goes out at once;
 * the connection stays open while the rest is discarded, so the client reads the 413 instead of
 * a reset, and is closed after this long if the client keeps sending.
 */
export const REFUSED_BODY_GRACE_MS = 5_000;

/**
 * Reads and parses a JSON body. An empty body is `undefined`, so routes decide whether they need
 * one. Bytes are counted as they arrive, whatever the transfer encoding (Content-Length or
 * chunked), and an oversized body is refused as soon as the limit is passed, without buffering
 * the rest.
 */
export function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) {
    discardRest(req);
    return Promise.reject(tooLarge(declared, maxBytes));
  }
  return new Promise<unknown>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        discardRest(req);
        reject(tooLarge(size, maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      try {
        resolve(parseJson(Buffer.concat(chunks).toString("utf8")));
      } catch (err) {
        reject(err);
      }
    };
    // A client that goes away (or a request timeout that ends it) leaves nobody to answer.
    const onClose = () => {
      cleanup();
      reject(new ApiProblem(400, "BAD_REQUEST", "The connection closed before the request body was complete."));
    };
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onClose);
      req.off("close", onClose);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onClose);
    req.on("close", onClose);
  });
}

function parseJson(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw badRequest(`The request body is not valid JSON (${why}). Send a JSON object with Content-Type: application/json.`);
  }
}

/** Throws away what is left of a refused body; closes the connection if it keeps coming. */
function discardRest(req: IncomingMessage): void {
  if (req.complete) return;
  const timer = setTimeout(() => req.socket.destroy(), REFUSED_BODY_GRACE_MS);
  timer.unref();
  const stop = () => clearTimeout(timer);
  req.once("end", stop);
  req.once("close", stop);
  req.on("error", stop);
  req.resume();
}

function tooLarge(size: number, maxBytes: number): ApiProblem {
  return new ApiProblem(
    413,
    "PAYLOAD_TOO_LARGE",
    `The request body is ${size} bytes or more; the limit is ${maxBytes} bytes. Startup scripts are limited to 10,000 characters; ship larger files another way.`,
  );
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  // A connection already answered by Node (a 408) or gone takes nothing more.
  if (res.headersSent || res.destroyed || !res.socket || res.socket.writableEnded) return;
  const text = body === undefined ? "" : JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    ...(text ? { "content-type": "application/json; charset=utf-8" } : {}),
    "content-length": String(Buffer.byteLength(text)),
  });
  res.end(text);
}
