// How TaskConfig's schemas report a problem: a zod issue, with "did you mean" suggestions riding on
// `params.suggestions` (collected into the error's list by validateTaskConfig).
import { z } from "zod";
import { typeName } from "./describe-value";

export type Ctx = z.core.$RefinementCtx;

export function issue(ctx: Ctx, message: string, path: PropertyKey[] = [], suggestions: string[] = []): void {
  ctx.addIssue({ code: "custom", message, path, params: suggestions.length ? { suggestions } : undefined });
}

export function requiredString(what: string) {
  return z.string({
    error: (iss) => (iss.input === undefined ? `is required: ${what}` : `must be a string, not ${typeName(iss.input)}`),
  });
}
