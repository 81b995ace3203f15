// The seed's error hierarchy. Every error says what failed, the value, and what to do
// (`suggestions`). None of them ever holds an API key: see `redactSecrets`.

export interface FlowErrorOptions {
  suggestions?: string[];
  errorCode?: string;
  cause?: unknown;
}

/** Base of every error this package throws on purpose. */
export class FlowError extends Error {
  readonly suggestions: string[];
  readonly errorCode?: string;

  constructor(message: string, options: FlowErrorOptions = {}) {
    super(redactSecrets(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.suggestions = (options.suggestions ?? []).map(redactSecrets);
    this.errorCode = options.errorCode;
  }

  /** Message plus suggestions, for people. */
  override toString(): string {
    const tips = this.suggestions.length ? `\n${this.suggestions.map((s) => `  - ${s}`).join("\n")}` : "";
    return `${this.name}: ${this.message}${tips}`;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, message: this.message, suggestions: this.suggestions, errorCode: this.errorCode };
  }
}

/** What an error learned from an HTTP exchange, when there was one. */
export interface HttpErrorInfo {
  statusCode?: number;
  responseBody?: unknown;
  requestId?: string;
  /** The `X-Client-Request-Id` this client sent, to quote in a support request. */
  clientRequestId?: string;
  method?: string;
  path?: string;
}

/** The API key was missing, wrong or revoked (HTTP 401/403). */
export class AuthenticationError extends FlowError {
  readonly statusCode?: number;
  readonly responseBody?: unknown;
  readonly requestId?: string;
  readonly clientRequestId?: string;
  constructor(message: string, options: FlowErrorOptions & HttpErrorInfo = {}) {
    super(message, { errorCode: "AUTHENTICATION_ERROR", ...options });
    this.statusCode = options.statusCode;
    this.responseBody = redactDeep(options.responseBody);
    this.requestId = options.requestId;
    this.clientRequestId = options.clientRequestId;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), statusCode: this.statusCode, requestId: this.requestId, responseBody: this.responseBody };
  }
}

/** The thing named does not exist (HTTP 404, or absent from a listing). */
export class ResourceNotFoundError extends FlowError {
  readonly resourceType?: string;
  readonly resourceId?: string;
  readonly statusCode?: number;
  readonly responseBody?: unknown;
  readonly requestId?: string;
  constructor(
    message: string,
    options: FlowErrorOptions & HttpErrorInfo & { resourceType?: string; resourceId?: string } = {},
  ) {
    super(message, { errorCode: "NOT_FOUND", ...options });
    this.resourceType = options.resourceType;
    this.resourceId = options.resourceId;
    this.statusCode = options.statusCode;
    this.responseBody = redactDeep(options.responseBody);
    this.requestId = options.requestId;
  }
  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      resourceType: this.resourceType,
      resourceId: this.resourceId,
      statusCode: this.statusCode,
      requestId: this.requestId,
    };
  }
}

/** A bid does not exist (the seed's SDK calls this `BidNotFoundError`; here "Task" is our construct). */
export class BidNotFoundError extends ResourceNotFoundError {}

export interface FieldError {
  field: string;
  message: string;
  value?: unknown;
  allowedValues?: unknown[];
}

/** Invalid input caught on this side, before any request. */
export class ValidationError extends FlowError {
  readonly field?: string;
  readonly fieldErrors: FieldError[];
  constructor(message: string, options: FlowErrorOptions & { field?: string; fieldErrors?: FieldError[] } = {}) {
    super(message, { errorCode: "VALIDATION_ERROR", ...options });
    this.field = options.field;
    this.fieldErrors = redactDeep(options.fieldErrors ?? (options.field ? [{ field: options.field, message }] : []));
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), field: this.field, fieldErrors: this.fieldErrors };
  }
}

export interface APIErrorOptions extends FlowErrorOptions {
  statusCode: number;
  responseBody?: unknown;
  requestId?: string;
  clientRequestId?: string;
  method?: string;
  path?: string;
  /** Seconds the server asked us to wait (`Retry-After`), on a 429 or a 503. */
  retryAfter?: number;
}

/** The API answered with an error status. */
export class APIError extends FlowError {
  readonly statusCode: number;
  readonly responseBody?: unknown;
  readonly requestId?: string;
  readonly clientRequestId?: string;
  readonly method?: string;
  readonly path?: string;
  readonly retryAfter?: number;
  constructor(message: string, options: APIErrorOptions) {
    super(message, options);
    this.statusCode = options.statusCode;
    this.responseBody = redactDeep(options.responseBody);
    this.requestId = options.requestId;
    this.clientRequestId = options.clientRequestId;
    this.method = options.method;
    this.path = options.path;
    this.retryAfter = options.retryAfter;
  }
  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      statusCode: this.statusCode,
      requestId: this.requestId,
      method: this.method,
      path: this.path,
      responseBody: this.responseBody,
    };
  }
}

/** HTTP 422 with field-level errors, from either body format (seed or FastAPI `detail`). */
export class ValidationAPIError extends APIError {
  readonly validationErrors: FieldError[];
  constructor(message: string, options: APIErrorOptions & { validationErrors: FieldError[] }) {
    super(message, options);
    this.validationErrors = redactDeep(options.validationErrors);
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), validationErrors: this.validationErrors };
  }
}

/** HTTP 429 that outlasted the retries. `retryAfter`: seconds the server asked us to wait. */
export class RateLimitError extends APIError {
  constructor(message: string, options: APIErrorOptions) {
    super(message, { errorCode: "RATE_LIMITED", ...options });
  }
}

export interface TransportErrorOptions extends FlowErrorOptions {
  /**
   * False only when the request certainly never reached the server (connection refused, DNS,
   * connect timeout). True means it may have been received and acted on: a POST is then ambiguous.
   */
  requestSent?: boolean;
  method?: string;
  path?: string;
  clientRequestId?: string;
}

/** A request that got no HTTP answer: what was attempted, and whether it left this machine. */
abstract class TransportError extends FlowError {
  /** False only when the request certainly never left: a create may then be sent again. */
  readonly requestSent: boolean;
  readonly method?: string;
  readonly path?: string;
  readonly clientRequestId?: string;
  constructor(message: string, errorCode: string, options: TransportErrorOptions) {
    super(message, { errorCode, ...options });
    this.requestSent = options.requestSent ?? true;
    this.method = options.method;
    this.path = options.path;
    this.clientRequestId = options.clientRequestId;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), requestSent: this.requestSent, method: this.method, path: this.path };
  }
}

/** The connection failed or was reset (no HTTP answer). */
export class NetworkError extends TransportError {
  constructor(message: string, options: TransportErrorOptions = {}) {
    super(message, "NETWORK_ERROR", options);
  }
}

/** A request or a wait ran past its deadline. */
export class TimeoutError extends TransportError {
  constructor(message: string, options: TransportErrorOptions = {}) {
    super(message, "TIMEOUT", options);
  }
}

/** The caller aborted the request through its `AbortSignal`. */
export class RequestAbortedError extends FlowError {
  constructor(message: string, options: FlowErrorOptions = {}) {
    super(message, { errorCode: "ABORTED", ...options });
  }
}

/**
 * A create (POST) failed in a way that leaves unknown whether the server made the resource, and
 * the client could not prove it absent. Never retried blindly: look the name up before retrying.
 */
export class AmbiguousCreateError extends FlowError {
  readonly resourceType: string;
  readonly resourceName: string;
  constructor(message: string, options: FlowErrorOptions & { resourceType: string; resourceName: string }) {
    super(message, { errorCode: "AMBIGUOUS_CREATE", ...options });
    this.resourceType = options.resourceType;
    this.resourceName = options.resourceName;
  }
}

/** FCP did something we cannot handle (unexpected shape, impossible state). */
export class ProviderError extends FlowError {}

// --- Secret redaction -------------------------------------------------------------------

const knownSecrets = new Set<string>();

/**
 * Registers a value (an API key) that must never appear in any message. The client calls this
 * with its key, so even a key echoed back by a server is masked.
 */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 6) knownSecrets.add(value);
}

const SECRET_PATTERNS: RegExp[] = [
  /(Bearer\s+)[A-Za-z0-9._~+/=-]{6,}/gi,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
];

/** Masks known secrets, bearer tokens and private keys in a string. */
export function redactSecrets(text: string): string {
  let out = String(text);
  for (const secret of knownSecrets) out = out.split(secret).join("[REDACTED]");
  out = out.replace(SECRET_PATTERNS[0], "$1[REDACTED]");
  out = out.replace(SECRET_PATTERNS[1], "[REDACTED PRIVATE KEY]");
  return out;
}

/** Redacts every string inside a JSON-like value. */
export function redactDeep<T>(value: T): T {
  if (typeof value === "string") return redactSecrets(value) as unknown as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v)) as unknown as T;
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = /^(authorization|api[_-]?key|private[_-]?key|token|password|secret)$/i.test(k) ? "[REDACTED]" : redactDeep(v);
    }
    return out as T;
  }
  return value;
}
