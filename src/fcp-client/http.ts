// One HTTP attempt against the FCP API through undici (keep-alive, connect/header/body timeouts),
// and the mapping of every failure to the seed's error classes. Retries live in `retry.ts`.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Agent, type Dispatcher, request as undiciRequest } from "undici";
import { z } from "zod";
import { ConcurrencyLimiter } from "../util/semaphore";
import {
  APIError,
  AuthenticationError,
  type FieldError,
  FlowError,
  NetworkError,
  RateLimitError,
  RequestAbortedError,
  ResourceNotFoundError,
  BidNotFoundError,
  TimeoutError,
  ValidationAPIError,
  redactSecrets,
  registerSecret,
} from "../fcp-api/errors";
import { parseRetryAfterMs } from "./retry";
import { fastApiErrorBody, seedErrorBody } from "../fcp-api/schemas/error-body";

export const DEFAULT_API_URL = "https://api.mlfoundry.com";

/** This package's version, read from package.json (works from `src/` and from `dist/`). */
export const CLIENT_VERSION: string = readPackageVersion();
export const USER_AGENT = `pulumi-fcp/${CLIENT_VERSION}`;

export type HttpMethod = "GET" | "POST" | "PATCH" | "DELETE";

export interface HttpTransportOptions {
  apiKey: string;
  /** @default "https://api.mlfoundry.com" */
  apiUrl?: string;
  /** @default 30000 */
  timeoutMs?: number;
  /** @default 10000 */
  connectTimeoutMs?: number;
  /** Time allowed for the response headers. @default - timeoutMs */
  headersTimeoutMs?: number;
  /** Time allowed between body chunks. @default - timeoutMs */
  bodyTimeoutMs?: number;
  /** @default 10000 */
  keepAliveTimeoutMs?: number;
  /** Requests in flight at once, client-wide. @default 8 */
  maxConcurrency?: number;
  /** Use this dispatcher instead of a private keep-alive Agent (it is not closed by `close()`). */
  dispatcher?: Dispatcher;
  /** For `Retry-After` HTTP dates. @default Date.now */
  now?: () => number;
}

export interface HttpRequest {
  method: HttpMethod;
  /** Path below the API root, e.g. `/v2/spot/bids`. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  timeoutMs?: number;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | undefined>;
  /** Parsed JSON, the raw text when not JSON, or undefined when empty. */
  body: unknown;
  clientRequestId: string;
  requestId?: string;
}

/** Counts of attempts sent, by `METHOD path`; the bench reads it. */
export type RequestStats = Map<string, number>;

const secretHeaders = new WeakMap<HttpTransport, Record<string, string>>();
// Set by the transport itself; a caller's header of the same name (any case) is dropped.
const RESERVED_HEADERS = new Set(["authorization", "user-agent", "accept", "x-client-request-id"]);

export class HttpTransport {
  readonly apiUrl: string;
  readonly limiter: ConcurrencyLimiter;
  readonly stats: RequestStats = new Map();
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(options: HttpTransportOptions) {
    if (!options.apiKey || !options.apiKey.trim()) {
      throw new AuthenticationError("No FCP API key was given.", {
        suggestions: [
          "Set FCP_API_KEY (or FLOW_API_KEY), pass apiKey, or write it to ~/.flow/credentials.fcp (chmod 600).",
          "Create a key at https://app.mlfoundry.com/account/apikeys.",
        ],
      });
    }
    registerSecret(options.apiKey);
    this.apiUrl = normaliseApiUrl(options.apiUrl ?? DEFAULT_API_URL);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.now = options.now ?? Date.now;
    this.limiter = new ConcurrencyLimiter(options.maxConcurrency ?? 8);
    this.ownsDispatcher = !options.dispatcher;
    this.dispatcher =
      options.dispatcher ??
      new Agent({
        keepAliveTimeout: options.keepAliveTimeoutMs ?? 10_000,
        keepAliveMaxTimeout: 60_000,
        connect: { timeout: options.connectTimeoutMs ?? 10_000 },
        headersTimeout: options.headersTimeoutMs ?? this.timeoutMs,
        bodyTimeout: options.bodyTimeoutMs ?? this.timeoutMs,
        connections: Math.max(options.maxConcurrency ?? 8, 1),
      });
    // Kept outside the object, so no inspect/JSON of a transport or client can show the key.
    secretHeaders.set(this, {
      authorization: `Bearer ${options.apiKey}`,
      "user-agent": USER_AGENT,
      accept: "application/json",
    });
  }

  /** One attempt. Non-2xx answers throw the mapped error (see `fromResponse`). */
  async request(req: HttpRequest): Promise<HttpResponse> {
    return this.limiter.run(() => this.send(req), req.signal);
  }

  /** Closes idle keep-alive sockets. */
  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  private async send(req: HttpRequest): Promise<HttpResponse> {
    const clientRequestId = randomUUID();
    const url = this.apiUrl + req.path + queryString(req.query);
    const key = `${req.method} ${req.path}`;
    this.stats.set(key, (this.stats.get(key) ?? 0) + 1);
    const timeoutMs = req.timeoutMs ?? this.timeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    const callerHeaders = Object.entries(req.headers ?? {}).filter(([name]) => !RESERVED_HEADERS.has(name.toLowerCase()));
    const headers: Record<string, string> = { ...Object.fromEntries(callerHeaders), ...secretHeaders.get(this), "x-client-request-id": clientRequestId };
    let body: string | undefined;
    if (req.body !== undefined) {
      body = JSON.stringify(req.body);
      headers["content-type"] = "application/json";
    }
    const ctx = { method: req.method, path: req.path, clientRequestId };
    let status: number;
    let responseHeaders: Record<string, string | undefined>;
    let text: string;
    try {
      const res = await undiciRequest(url, { dispatcher: this.dispatcher, method: req.method, headers, body, signal });
      status = res.statusCode;
      responseHeaders = flattenHeaders(res.headers);
      text = await res.body.text();
    } catch (error) {
      throw mapTransportError(error, { ...ctx, timeoutMs, userSignal: req.signal, timeoutSignal: timeout });
    }
    const parsed = parseBody(text);
    const requestId = responseHeaders["x-request-id"] ?? bodyRequestId(parsed);
    if (status >= 200 && status < 300) {
      return { status, headers: responseHeaders, body: parsed, clientRequestId, requestId };
    }
    throw fromResponse(status, parsed, { ...ctx, headers: responseHeaders, now: this.now() });
  }
}

export interface ResponseContext {
  method?: string;
  path?: string;
  headers?: Record<string, string | undefined>;
  clientRequestId?: string;
  /** Epoch milliseconds, to read a `Retry-After` HTTP date. */
  now?: number;
}

/**
 * Maps an error answer to the seed's classes: 401/403 AuthenticationError, 404
 * ResourceNotFoundError (BidNotFoundError under /spot/bids), 422 ValidationAPIError (both body
 * formats), 429 RateLimitError, anything else APIError.
 */
export function fromResponse(status: number, body: unknown, ctx: ResponseContext = {}): FlowError {
  const info = describeBody(body);
  const requestId = ctx.headers?.["x-request-id"] ?? info.requestId ?? undefined;
  const where = ctx.method && ctx.path ? `${ctx.method} ${ctx.path}` : "FCP API request";
  const idNote = requestId ? ` (request id ${requestId})` : ctx.clientRequestId ? ` (client request id ${ctx.clientRequestId})` : "";
  const detail = info.message ? `: ${info.message}` : "";
  const base = {
    statusCode: status,
    responseBody: body,
    requestId,
    clientRequestId: ctx.clientRequestId,
    method: ctx.method,
    path: ctx.path,
    errorCode: info.code,
  };
  if (status === 401 || status === 403) {
    return new AuthenticationError(`${where} was refused with ${status}${detail}${idNote}.`, {
      ...base,
      errorCode: info.code ?? "AUTHENTICATION_ERROR",
      suggestions:
        status === 401
          ? [
              "Check the API key in FCP_API_KEY / FLOW_API_KEY or ~/.flow/credentials.fcp; it may be wrong or revoked.",
              "Create a new key at https://app.mlfoundry.com/account/apikeys.",
            ]
          : ["The key is valid but may not have access to this project; check the project name and your membership."],
    });
  }
  if (status === 404) {
    const isBid = /\/spot\/bids\b/.test(ctx.path ?? "");
    const id = /\/([^/?]+)$/.exec(ctx.path ?? "")?.[1];
    const NotFound = isBid ? BidNotFoundError : ResourceNotFoundError;
    return new NotFound(`${where} found nothing${detail}${idNote}.`, {
      ...base,
      errorCode: info.code ?? "NOT_FOUND",
      resourceType: resourceTypeOf(ctx.path),
      resourceId: id,
      suggestions: ["Check the FID; it may have been deleted outside this program (run `pulumi refresh`)."],
    });
  }
  if (status === 422) {
    const fields = info.fieldErrors;
    const fieldText = fields.length ? `: ${fields.map(describeField).join("; ")}` : detail;
    return new ValidationAPIError(`${where} was rejected as invalid (422)${fieldText}${idNote}.`, {
      ...base,
      errorCode: info.code ?? "VALIDATION_ERROR",
      validationErrors: fields,
      suggestions: fields
        .filter((f) => f.allowedValues?.length)
        .map((f) => `Set ${f.field} to one of: ${f.allowedValues!.map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join(", ")}.`),
    });
  }
  const retryAfterMs = parseRetryAfterMs(ctx.headers?.["retry-after"], ctx.now ?? Date.now());
  const retryAfter = retryAfterMs === undefined ? undefined : retryAfterMs / 1000;
  if (status === 429) {
    return new RateLimitError(`${where} was rate limited (429)${detail}${idNote}.`, {
      ...base,
      errorCode: info.code ?? "RATE_LIMITED",
      retryAfter,
      suggestions: [
        retryAfter !== undefined ? `The server asked to wait ${retryAfter} s before retrying.` : "Wait a little and retry.",
        "Lower the client's maxConcurrency if this happens during large deployments.",
      ],
    });
  }
  const suggestions =
    status >= 500
      ? [`FCP had a server error; retry later${requestId ? ` and quote request id ${requestId} to support` : ""}.`]
      : ["Check the request's parameters against the FCP API reference."];
  return new APIError(`${where} failed with ${status}${detail}${idNote}.`, {
    ...base,
    errorCode: info.code ?? (status >= 500 ? "SERVER_ERROR" : "API_ERROR"),
    retryAfter,
    suggestions,
  });
}

interface BodyInfo {
  message?: string;
  code?: string;
  requestId?: string;
  fieldErrors: FieldError[];
}

/** Reads the seed's `{error:{...}}` body or FastAPI's `{detail}`; anything else as text. */
export function describeBody(body: unknown): BodyInfo {
  const seed = seedErrorBody.safeParse(body);
  if (seed.success) {
    const e = seed.data.error;
    const fieldErrors: FieldError[] = [];
    const details = e.details;
    if (Array.isArray(details)) {
      for (const d of details) {
        if (d.field) fieldErrors.push({ field: d.field, message: d.message ?? e.message ?? "is invalid", value: d.value });
      }
    } else if (details?.field) {
      fieldErrors.push({
        field: details.field,
        message: e.message ?? "is invalid",
        value: details.value,
        allowedValues: details.allowed_values,
      });
    }
    return { message: e.message, code: e.code, requestId: seed.data.request_id, fieldErrors };
  }
  const fast = fastApiErrorBody.safeParse(body);
  if (fast.success) {
    const detail = fast.data.detail;
    if (typeof detail === "string") return { message: detail, fieldErrors: [] };
    const fieldErrors = detail.map((d) => ({
      field: fieldFromLoc(d.loc),
      message: d.msg ?? d.type ?? "is invalid",
      value: d.input,
    }));
    return { message: fieldErrors.map(describeField).join("; "), fieldErrors };
  }
  if (typeof body === "string" && body.trim()) return { message: truncate(body.trim(), 300), fieldErrors: [] };
  const loose = z.object({ message: z.string() }).safeParse(body);
  if (loose.success) return { message: loose.data.message, fieldErrors: [] };
  return { fieldErrors: [] };
}

function fieldFromLoc(loc: Array<string | number> | undefined): string {
  const parts = (loc ?? []).filter((p, i) => !(i === 0 && (p === "body" || p === "query" || p === "path")));
  return parts.length ? parts.join(".") : "request";
}

function describeField(f: FieldError): string {
  const value = f.value === undefined ? "" : ` (got ${truncate(JSON.stringify(f.value) ?? String(f.value), 80)})`;
  return `${f.field} ${f.message}${value}`;
}

interface TransportContext {
  method: string;
  path: string;
  clientRequestId: string;
  timeoutMs: number;
  userSignal?: AbortSignal;
  timeoutSignal: AbortSignal;
}

// Failures before any byte of the request could reach the server: repeating is always safe.
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT"]);

/** Maps undici/socket errors to NetworkError, TimeoutError or RequestAbortedError. */
export function mapTransportError(error: unknown, ctx: TransportContext): FlowError {
  if (error instanceof FlowError) return error;
  const where = `${ctx.method} ${ctx.path}`;
  const common = { method: ctx.method, path: ctx.path, clientRequestId: ctx.clientRequestId, cause: error };
  if (ctx.userSignal?.aborted) {
    return new RequestAbortedError(`${where} was aborted by the caller.`, { cause: error });
  }
  const code = errorCode(error);
  if (ctx.timeoutSignal.aborted || code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT") {
    return new TimeoutError(`${where} got no answer within ${ctx.timeoutMs} ms.`, {
      ...common,
      requestSent: true,
      suggestions: ["FCP may be slow or unreachable; retry, or raise timeoutMs."],
    });
  }
  if (code === "UND_ERR_CONNECT_TIMEOUT") {
    return new TimeoutError(`${where} could not connect within the connect timeout.`, {
      ...common,
      requestSent: false,
      suggestions: ["Check the network and the API URL."],
    });
  }
  const message = error instanceof Error ? redactSecrets(error.message) : String(error);
  return new NetworkError(`${where} failed: ${message}${code ? ` (${code})` : ""}.`, {
    ...common,
    requestSent: !NOT_SENT_CODES.has(code ?? ""),
    suggestions: ["Check the network connection and the API URL (FCP_API_URL); the client retries safe requests."],
  });
}

function errorCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function resourceTypeOf(path?: string): string | undefined {
  if (!path) return undefined;
  if (path.includes("/spot/bids")) return "bid";
  if (path.includes("/volumes")) return "volume";
  if (path.includes("/ssh-keys")) return "ssh key";
  if (path.includes("/instances")) return "instance";
  if (path.includes("/projects")) return "project";
  return undefined;
}

function parseBody(text: string): unknown {
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function bodyRequestId(body: unknown): string | undefined {
  const parsed = z.object({ request_id: z.string() }).safeParse(body);
  return parsed.success ? parsed.data.request_id : undefined;
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
  return out;
}

function queryString(query?: HttpRequest["query"]): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== "") params.append(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : "";
}

/** `https://api.mlfoundry.com/v2/` and `https://api.mlfoundry.com` name the same root. */
export function normaliseApiUrl(url: string): string {
  let u = url.trim().replace(/\/+$/, "");
  if (u.endsWith("/v2")) u = u.slice(0, -3);
  try {
    new URL(u);
  } catch {
    throw new FlowError(`The API URL ${JSON.stringify(url)} is not a valid URL.`, {
      errorCode: "INVALID_API_URL",
      suggestions: ["Use an absolute URL such as https://api.mlfoundry.com."],
    });
  }
  return u;
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}...` : s;
}

function readPackageVersion(): string {
  try {
    const pkg = z.object({ version: z.string() }).safeParse(JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")));
    if (pkg.success) return pkg.data.version;
  } catch {
    // A bundled copy without package.json still works; it just reports 0.0.0.
  }
  return "0.0.0";
}
