// Reading request bodies with a size limit and writing JSON responses.
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiProblem, badRequest } from "./problem";

/** Bodies larger than this get a 413: no FCP request comes near it. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * Reads and parses a JSON body. An empty body is `undefined`, so routes decide whether they need
 * one. Oversized bodies are refused as soon as the limit is passed, without buffering the rest.
 */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(declared, maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge(size, maxBytes);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw badRequest(`The request body is not valid JSON (${why}). Send a JSON object with Content-Type: application/json.`);
  }
}

function tooLarge(size: number, maxBytes: number): ApiProblem {
  return new ApiProblem(
    413,
    "PAYLOAD_TOO_LARGE",
    `The request body is ${size} bytes or more; the limit is ${maxBytes} bytes. Startup scripts are limited to 10,000 characters; ship larger files another way.`,
  );
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = body === undefined ? "" : JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    ...(text ? { "content-type": "application/json; charset=utf-8" } : {}),
    "content-length": String(Buffer.byteLength(text)),
  });
  res.end(text);
}
