// Checks shared by the routes. Each failure is a 422 naming the field, the value, the allowed
// values where there is a short list, and the fix: the seed's "Common API Gotchas" answered.
import type { z } from "zod";
import { BUILTIN_INSTANCE_TYPES, BUILTIN_REGIONS, BUILTIN_SHORT_NAMES } from "../fcp-api/builtin-catalog";
import { isWirePrice } from "../fcp-api/price";
import { ApiProblem, invalid, show } from "./problem";
import { ownRecord, type EmulatorState, type ProjectRecord } from "./state";

export type JsonObject = Record<string, unknown>;

/** The body of a POST or PATCH: a JSON object, or a clear 400/422. */
export function requireObject(body: unknown): JsonObject {
  if (body === undefined) {
    throw new ApiProblem(400, "BAD_REQUEST", "The request body is empty. Send a JSON object with Content-Type: application/json.");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    const kind = Array.isArray(body) ? "an array" : body === null ? "null" : `a ${typeof body}`;
    throw invalid("body", body, `The request body must be a JSON object, not ${kind}.`);
  }
  return body as JsonObject;
}

/**
 * Refuses fields the endpoint does not take. Well-known mistakes get their own message (the
 * seed's "`limit_price` not `price`"); anything else lists the fields that exist.
 */
export function rejectUnknownFields(body: JsonObject, allowed: readonly string[], mistakes: Readonly<Record<string, string>> = {}): void {
  for (const key of Object.keys(body)) {
    if (allowed.includes(key)) continue;
    // Own properties only: a body key such as "constructor" must not find Object's prototype.
    const hint = Object.hasOwn(mistakes, key) ? mistakes[key] : undefined;
    if (hint) throw invalid(key, body[key], hint, [...allowed]);
    throw invalid(key, body[key], `Unknown field ${show(key)}. This endpoint takes: ${allowed.join(", ")}.`, [...allowed]);
  }
}

/** Runs a request schema; the first issue becomes the 422, all of them go in the message. */
export function parseBody<S extends z.ZodTypeAny>(schema: S, body: JsonObject): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data as z.output<S>;
  const issues = result.error.issues;
  const first = issues[0];
  const field = first.path.map(String).join(".") || "body";
  const value = first.path.reduce<unknown>((v, k) => (v && typeof v === "object" && Object.hasOwn(v, String(k)) ? (v as JsonObject)[String(k)] : undefined), body);
  const all = issues.map((i) => `${i.path.map(String).join(".") || "body"}: ${i.message}`).join("; ");
  throw invalid(field, value, `Invalid request: ${all}.`);
}

/** `limit_price` (or any price) must be the seed's dollar string. */
export function checkWirePrice(field: string, value: unknown): void {
  if (isWirePrice(value)) return;
  if (typeof value === "number" && Number.isFinite(value) && value >= 0) {
    throw invalid(field, value, `${field} must be a dollar string such as "$15.00", not the number ${value}. Send "$${value.toFixed(2)}".`);
  }
  if (typeof value === "string" && /^\d+(\.\d{1,2})?$/.test(value.trim())) {
    throw invalid(field, value, `${field} must include the dollar sign: send "$${Number(value).toFixed(2)}" instead of ${show(value)}.`);
  }
  throw invalid(field, value, `${field} must be a dollar string with at most two decimals, such as "$15.00"; got ${show(value)}.`);
}

/** A project FID that exists; a project name gets a hint with its FID. */
export function checkProject(state: EmulatorState, field: string, value: unknown): ProjectRecord {
  const projects = Object.values(state.projects);
  const found = typeof value === "string" ? ownRecord(state.projects, value) : undefined;
  if (found) return found;
  const byName = projects.find((p) => p.name === value);
  if (byName) {
    throw invalid(
      field,
      value,
      `${field} must be a project FID, not a name: ${show(value)} is project ${byName.fid}. GET /v2/projects lists them.`,
      projects.map((p) => p.fid),
    );
  }
  throw invalid(field, value, `Unknown project ${show(value)}. GET /v2/projects lists the projects this API key can use.`, projects.map((p) => p.fid));
}

export function checkRegion(field: string, value: unknown): string {
  if (typeof value === "string" && (BUILTIN_REGIONS as readonly string[]).includes(value)) return value;
  throw invalid(field, value, `Unknown region ${show(value)}. Regions: ${BUILTIN_REGIONS.join(", ")}.`, [...BUILTIN_REGIONS]);
}

/** An instance type FID. Names, short names and the seed's `gpu.nvidia.a100` get a hint. */
export function checkInstanceTypeFid(field: string, value: unknown): string {
  const fids = BUILTIN_INSTANCE_TYPES.map((t) => t.fid);
  if (typeof value === "string" && fids.includes(value)) return value;
  const suggestion = typeof value === "string" ? suggestFid(value) : undefined;
  const tail = suggestion
    ? ` ${show(value)} looks like a name: its FID is ${suggestion.fid} (${suggestion.name}).`
    : ` ${show(value)} is neither an instance type FID nor a known name; GET /v2/instance-types lists every FID with its name.`;
  throw invalid(field, value, `${field} must be an instance type FID (it_...), not a name.${tail}`, fids);
}

function suggestFid(raw: string): { fid: string; name: string } | undefined {
  const key = raw.trim().toLowerCase().replace(/^gpu\.nvidia\./, "");
  const exact = BUILTIN_INSTANCE_TYPES.find((t) => t.name === key);
  const fid = exact?.fid ?? (Object.hasOwn(BUILTIN_SHORT_NAMES, key) ? BUILTIN_SHORT_NAMES[key] : undefined);
  const type = BUILTIN_INSTANCE_TYPES.find((t) => t.fid === fid);
  return type ? { fid: type.fid, name: type.name } : undefined;
}
