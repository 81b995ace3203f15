// An HTTP error as the seed writes it: `{"error":{code,message,details},"request_id"}`.
// Handlers throw these; the server turns them into responses. Anything else thrown is a bug
// and becomes a 500 that says so.

export interface ProblemDetails {
  field?: string;
  value?: unknown;
  allowed_values?: unknown[];
}

export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: ProblemDetails,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiProblem";
  }
}

/** 422: the request parsed but breaks a rule of the API. */
export function invalid(field: string, value: unknown, message: string, allowedValues?: unknown[]): ApiProblem {
  const details: ProblemDetails = { field, value: shownValue(value) };
  if (allowedValues) details.allowed_values = allowedValues;
  return new ApiProblem(422, "VALIDATION_ERROR", message, details);
}

export function notFound(message: string, details?: ProblemDetails): ApiProblem {
  return new ApiProblem(404, "NOT_FOUND", message, details);
}

export function badRequest(message: string): ApiProblem {
  return new ApiProblem(400, "BAD_REQUEST", message);
}

/** Values echoed back in `details.value`: long strings are summarised, not repeated whole. */
function shownValue(value: unknown): unknown {
  if (typeof value === "string" && value.length > 200) return `<${value.length} characters>`;
  return value;
}

/** How a value looks in a message: strings quoted, the rest as JSON. */
export function show(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "string") return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  // Functions and symbols have no JSON; say what they are rather than crash or print their source.
  const json = typeof value === "function" || typeof value === "symbol" ? undefined : (JSON.stringify(value) as string | undefined);
  if (json === undefined) return `a ${typeof value}`;
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}
