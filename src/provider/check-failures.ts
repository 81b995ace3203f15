// Maps zod issues to Pulumi check failures: one per property, each with a reason a person can
// act on.
import type * as pulumi from "@pulumi/pulumi";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { z } from "zod";
import { issueMessage, issueMessages } from "../fcp-api/issue-messages";

/** The value the engine sends for an input not known until apply (preview). */
export const UNKNOWN = unknownValue;

export function isUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(isUnknown);
  return false;
}

/** One failure per issue: the property, and the value given, what is expected and the fix. */
export function zodFailures(error: z.ZodError, input: unknown): pulumi.dynamic.CheckFailure[] {
  return issueMessages(error, input).map((m) => ({ property: m.field, reason: m.reason }));
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
    // Worded here, where the inner value is known; the outer formatter keeps custom messages.
    for (const issue of result.error.issues) {
      ctx.addIssue({ code: "custom", message: issueMessage(issue, value).reason, path: issue.path as PropertyKey[] });
    }
    return z.NEVER;
  });
}
