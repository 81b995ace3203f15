// Turns zod issues into messages for people: "field: the value given, what is expected, how to
// fix it". zod's own wording ("Invalid input: expected string, received undefined") names a type
// system, not the user's mistake; `String(value)` gives "[object Object]"; and a Pulumi Output
// passed where a plain value is needed reads as "received OutputImpl". Every message that a
// check failure, a price or a TaskConfig shows goes through here.
import type { z } from "zod";

export interface IssueMessage {
  /** Dotted path of the field, or "(inputs)" for the whole object. */
  field: string;
  /** What was given, what is expected, how to fix it; without the field name. */
  reason: string;
}

/** A Pulumi Output (`pulumi.Output.isInstance` without importing Pulumi here). */
export function isPulumiOutput(value: unknown): boolean {
  return typeof value === "object" && value !== null && (value as { __pulumiOutput?: unknown }).__pulumiOutput === true;
}

/** How a value reads in a message: short, never `[object Object]`, never a function's source. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (isPulumiOutput(value)) return "a Pulumi Output";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
    case "number":
    case "boolean":
    case "bigint":
      return String(value);
    case "function":
      return "a function";
    case "symbol":
      return "a symbol";
  }
  if (value instanceof Promise) return "a Promise";
  if (value instanceof Date) return `the date ${Number.isNaN(value.getTime()) ? "(invalid)" : value.toISOString()}`;
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = undefined;
  }
  const kind = Array.isArray(value) ? "the list" : "the object";
  if (json === undefined) return Array.isArray(value) ? "a list" : "an object";
  return json.length > 60 ? `${kind} ${json.slice(0, 57)}...` : `${kind} ${json}`;
}

/** What to do when an Output reaches a field that needs a plain value. */
export function outputFix(field: string): string {
  return (
    `got a Pulumi Output, but ${field} needs a plain value here. Pass a plain value (e.g. a string), or create the ` +
    "resource inside `.apply(value => ...)` of the Output so the value is known."
  );
}

const ARTICLE: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  array: "a list",
  object: "an object",
  record: "an object of names to values",
  map: "an object of names to values",
  bigint: "a whole number",
  date: "a date",
  null: "null",
  undefined: "nothing",
};

/** zod's default wording, which is replaced; a schema's own message is kept. */
const RAW_ZOD = /^(Invalid input|Invalid option|Invalid element|Invalid key|Invalid (string|number|format)|Too (small|big)|Unrecognized key|Expected |Required$)|expected \w+, received \w+/;

/** Only the kind of a value ("a string", "a list"): for fields that may hold credentials. */
export function describeKind(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (isPulumiOutput(value)) return "a Pulumi Output";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  return ARTICLE[typeof value] ?? `a ${typeof value}`;
}

export interface IssueMessageOptions {
  /** Name only the value's kind, never the value (env values, scripts). */
  hideValue?: boolean;
}

/** One issue as a field and a reason. `input` is the object the schema parsed. */
export function issueMessage(issue: z.core.$ZodIssue, input: unknown, options: IssueMessageOptions = {}): IssueMessage {
  const path = issue.path.map(String);
  const field = path.length ? path.join(".") : "(inputs)";
  const name = path.length ? path[path.length - 1] : "the inputs";
  const value = valueAt(input, issue.path);
  const given = options.hideValue ? describeKind(value) : describeValue(value);
  if (isPulumiOutput(value)) return { field, reason: outputFix(name) };
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys.map((k) => JSON.stringify(k)).join(", ");
    return { field, reason: `has unknown field${issue.keys.length === 1 ? "" : "s"} ${keys}. Remove ${issue.keys.length === 1 ? "it" : "them"}, or check the spelling.` };
  }
  if (!RAW_ZOD.test(issue.message)) {
    return { field, reason: issue.message };
  }
  switch (issue.code) {
    case "invalid_type": {
      const expected = ARTICLE[issue.expected] ?? `a ${issue.expected}`;
      if (value === undefined) return { field, reason: `is required: give ${expected}.` };
      return { field, reason: `got ${given}, but it must be ${expected}. Give ${expected}.` };
    }
    case "invalid_value": {
      const options = issue.values.map((v) => JSON.stringify(v));
      return {
        field,
        reason: options.length === 1 ? `got ${given}, but it must be ${options[0]}.` : `got ${given}, but it must be one of ${options.join(", ")}.`,
      };
    }
    case "too_small":
    case "too_big": {
      const small = issue.code === "too_small";
      const bound = small ? issue.minimum : issue.maximum;
      const inclusive = issue.inclusive !== false;
      const unit = issue.origin === "string" ? " characters" : issue.origin === "array" || issue.origin === "set" ? " items" : "";
      const limit = small ? (inclusive ? "at least" : "more than") : inclusive ? "at most" : "less than";
      const what = unit ? `have ${limit} ${String(bound)}${unit}` : `be ${limit} ${String(bound)}`;
      const size = unit && (typeof value === "string" || Array.isArray(value)) ? ` (${value.length}${unit})` : "";
      return { field, reason: `got ${given}${size}, but it must ${what}.` };
    }
    case "not_multiple_of":
      return { field, reason: `got ${given}, but it must be a multiple of ${String(issue.divisor)}.` };
    case "invalid_format":
      return { field, reason: `got ${given}, but it must be ${issue.format === "regex" ? "in the documented format" : `a valid ${issue.format}`}.` };
    case "invalid_union":
      return { field, reason: `got ${given}, which is none of the accepted forms. See the field's documentation for what it takes.` };
    default:
      return { field, reason: `got ${given}, which is not accepted here.` };
  }
}

/** Every issue of an error, in order, as fields and reasons. */
export function issueMessages(error: z.ZodError, input: unknown): IssueMessage[] {
  return error.issues.map((issue) => issueMessage(issue, input));
}

/** `field: reason` for each issue, joined for one error message. */
export function formatIssues(error: z.ZodError, input: unknown): string {
  return issueMessages(error, input)
    .map((m) => `${m.field}: ${m.reason}`)
    .join("; ");
}

/** The value at a zod path, through own properties only. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const key of path) {
    if (typeof v !== "object" || v === null || typeof key === "symbol" || !Object.hasOwn(v, key)) return undefined;
    v = (v as Record<string, unknown>)[String(key)];
  }
  return v;
}
