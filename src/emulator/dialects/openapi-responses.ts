// Response conformance for the mithril dialect: every response is checked against the live
// OpenAPI document (read from the installed flow-compute package, never copied here) before it is
// sent. A response that does not conform is replaced by a 500 naming the violation, and the
// violation is recorded, so tests fail loudly rather than pass on a shape the live client would
// refuse.
import { appendFileSync, readFileSync } from "node:fs";
import Ajv2020, { type ValidateFunction } from "ajv/dist/2020";

/** Set to 1 to validate every mithril-dialect response (the jest globalSetup does). */
export const VALIDATE_ENV = "FCP_EMULATOR_VALIDATE_OPENAPI";
/** Path of the OpenAPI JSON to validate against. */
export const OPENAPI_PATH_ENV = "FLOW_COMPUTE_OPENAPI";
/** Optional file every violation is appended to, so a whole test run can be checked at its end. */
export const VIOLATIONS_FILE_ENV = "FCP_EMULATOR_OPENAPI_VIOLATIONS";

const DOC_ID = "mithril-openapi.json";
const METHODS = ["get", "post", "put", "patch", "delete"] as const;

type Json = Record<string, unknown>;

/**
 * The document uses OpenAPI 3.0's `nullable` inside a 3.1 document; JSON Schema knows only
 * `type: [..., "null"]`. Refs move from `#/components/schemas` to `$defs` so ajv sees schemas only.
 */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (typeof node !== "object" || node === null) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node as Json)) {
    if (key === "$ref" && typeof value === "string") out.$ref = value.replace("#/components/schemas/", `${DOC_ID}#/$defs/`);
    else if (key !== "nullable") out[key] = toJsonSchema(value);
  }
  if ((node as Json).nullable !== true) return out;
  if (typeof out.type === "string") {
    out.type = [out.type, "null"];
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
    return out;
  }
  if (out.$ref !== undefined || out.anyOf !== undefined || out.oneOf !== undefined || out.allOf !== undefined) return { anyOf: [out, { type: "null" }] };
  return out;
}

/** `/v2/spot/bids/{fid}` and `/v2/spot/bids/{bid_fid}` are the same path. */
function shapeOf(template: string): string {
  return template.replace(/\{[^}]+\}/g, "{}");
}

interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

export class OpenApiResponses {
  // Every format the document uses; `datetime` is its own spelling of date-time.
  private readonly ajv = new Ajv2020({
    strict: false,
    allErrors: true,
    formats: {
      datetime: isoDateTime,
      "date-time": isoDateTime,
      email: /^[^@\s]+@[^@\s]+$/,
      uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
      uri: /^[a-z][a-z0-9+.-]*:\S+$/i,
      duration: /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/,
    },
  });
  private readonly operations = new Map<string, Operation>();
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly errorBody: ValidateFunction;
  readonly violations: string[] = [];

  constructor(
    document: Json,
    private readonly violationsFile?: string,
  ) {
    const components = (document.components as Json | undefined)?.schemas as Json | undefined;
    this.ajv.addSchema({ $id: DOC_ID, $defs: toJsonSchema(components ?? {}) as Json });
    for (const [path, item] of Object.entries((document.paths as Json | undefined) ?? {})) {
      for (const method of METHODS) {
        const op = (item as Json)[method] as Operation | undefined;
        if (op) this.operations.set(`${method.toUpperCase()} ${shapeOf(path)}`, op);
      }
    }
    if (this.operations.size === 0) throw new Error("The OpenAPI document lists no operations; is it the Mithril API description?");
    // FastAPI's HTTPException body, for error statuses the document does not list (401, 404, 501, ...).
    this.errorBody = this.ajv.compile({
      type: "object",
      required: ["detail"],
      properties: { detail: { anyOf: [{ type: "string" }, { type: "array", items: { $ref: `${DOC_ID}#/$defs/ValidationError` } }] } },
    });
  }

  static fromFile(path: string, violationsFile?: string): OpenApiResponses {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (err) {
      throw new Error(`Cannot read the OpenAPI document at ${path} (${(err as Error).message}). Run scripts/flow-compute/venv.sh and point ${OPENAPI_PATH_ENV} at the package's openapi.json.`);
    }
    return new OpenApiResponses(JSON.parse(text) as Json, violationsFile);
  }

  /** From the environment, when FCP_EMULATOR_VALIDATE_OPENAPI=1; otherwise undefined. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): OpenApiResponses | undefined {
    if (env[VALIDATE_ENV] !== "1") return undefined;
    const path = env[OPENAPI_PATH_ENV];
    if (!path) throw new Error(`${VALIDATE_ENV}=1 needs ${OPENAPI_PATH_ENV}: the path of openapi.json inside the flow-compute package (scripts/flow-compute/venv.sh installs it).`);
    return OpenApiResponses.fromFile(path, env[VIOLATIONS_FILE_ENV] || undefined);
  }

  /**
   * The violation in one response, or undefined when it conforms. `template` is the route
   * template, or undefined for a path no route matched.
   */
  check(method: string, template: string | undefined, status: number, body: unknown): string | undefined {
    const where = `${method} ${template ?? "(unmatched path)"} -> ${status}`;
    const op = template === undefined ? undefined : this.operations.get(`${method} ${shapeOf(template)}`);
    if (template !== undefined && !op) return this.record(`${where}: the OpenAPI document has no such operation.`);
    const response = op?.responses[String(status)];
    if (!response) {
      if (status >= 400) return this.validate(where, this.errorBody, body);
      return this.record(`${where}: status ${status} is not among the documented responses (${Object.keys(op?.responses ?? {}).join(", ")}).`);
    }
    const schema = response.content?.["application/json"]?.schema;
    if (schema === undefined) {
      if (body === undefined) return undefined;
      // An error listed without a schema (PATCH /v2/instances: 404, 409, 501) still carries FastAPI's body.
      if (status >= 400) return this.validate(where, this.errorBody, body);
      return this.record(`${where}: the document gives this response no body, but one was sent.`);
    }
    const key = `${method} ${shapeOf(template as string)} ${status}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(toJsonSchema(schema) as Json);
      this.compiled.set(key, validate);
    }
    return this.validate(where, validate, body);
  }

  private validate(where: string, validate: ValidateFunction, body: unknown): string | undefined {
    if (validate(body)) return undefined;
    const errors = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || "(body)"} ${e.message ?? ""}`.trim());
    return this.record(`${where}: ${errors.join("; ")}`);
  }

  private record(violation: string): string {
    this.violations.push(violation);
    if (this.violationsFile) appendFileSync(this.violationsFile, `${violation}\n`);
    return violation;
  }
}

/** ISO 8601 date-times as the live service writes them (`format: "datetime"` in the document). */
const isoDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
