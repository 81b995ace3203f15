// Maps zod issues to Pulumi check failures: one per property, each with a reason a person can
// act on.
import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";

/** The value the engine sends for an input not known until apply (preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

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
