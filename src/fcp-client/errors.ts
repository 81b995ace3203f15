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

/** The API key was missing, wrong or revoked (HTTP 401/403). */
export class AuthenticationError extends FlowError {}

/** The thing named does not exist (HTTP 404, or absent from a listing). */
export class ResourceNotFoundError extends FlowError {
  readonly resourceType?: string;
  readonly resourceId?: string;
  constructor(message: string, options: FlowErrorOptions & { resourceType?: string; resourceId?: string } = {}) {
    super(message, options);
    this.resourceType = options.resourceType;
    this.resourceId = options.resourceId;
  }
}

/** A bid (the seed's "task") does not exist. */
export class TaskNotFoundError extends ResourceNotFoundError {}

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
    this.fieldErrors = options.fieldErrors ?? (options.field ? [{ field: options.field, message }] : []);
  }
}

export interface APIErrorOptions extends FlowErrorOptions {
  statusCode: number;
  responseBody?: unknown;
  requestId?: string;
  method?: string;
  path?: string;
}

/** The API answered with an error status. */
export class APIError extends FlowError {
  readonly statusCode: number;
  readonly responseBody?: unknown;
  readonly requestId?: string;
  readonly method?: string;
  readonly path?: string;
  constructor(message: string, options: APIErrorOptions) {
    super(message, options);
    this.statusCode = options.statusCode;
    this.responseBody = redactDeep(options.responseBody);
    this.requestId = options.requestId;
    this.method = options.method;
    this.path = options.path;
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
    this.validationErrors = options.validationErrors;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), validationErrors: this.validationErrors };
  }
}

/** HTTP 429 that outlasted the retries. */
export class RateLimitError extends APIError {
  /** Seconds the server asked us to wait, when it said. */
  readonly retryAfter?: number;
  constructor(message: string, options: APIErrorOptions & { retryAfter?: number }) {
    super(message, options);
    this.retryAfter = options.retryAfter;
  }
}

/** The connection failed or was reset (no HTTP answer). */
export class NetworkError extends FlowError {}

/** A request or a wait ran past its deadline. */
export class TimeoutError extends FlowError {}

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
