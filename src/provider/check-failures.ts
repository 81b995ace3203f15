// Maps zod issues to Pulumi check failures: one per property, each with a reason a person can
// act on.
import type * as pulumi from "@pulumi/pulumi";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { z } from "zod";

/** The value the engine sends for an input not known until apply (preview). */
export const UNKNOWN = unknownValue;

export function isUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(isUnknown);
  return false;
}

export function zodFailures(error: z.ZodError): pulumi.dynamic.CheckFailure[] {
  return error.issues.map((issue) => ({
    property: issue.path.length ? issue.path.map(String).join(".") : "(inputs)",
    reason: issue.message,
  }));
}

/**
 * `schema`, or the preview's unknown value (alone or inside a list) passed through untouched.
 * Not a `z.union`: a union would hide the inner schema's message behind "Invalid input".
 */
export function orUnknown<T extends z.ZodType>(schema: T) {
  return z.any().transform((value: unknown, ctx): z.output<T> | typeof UNKNOWN => {
    if (isUnknown(value)) return value as typeof UNKNOWN;
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) ctx.addIssue({ code: "custom", message: issue.message, path: issue.path as PropertyKey[] });
    return z.NEVER;
  });
}
