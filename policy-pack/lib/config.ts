// Policy config: one zod schema per policy gives both the JSON schema the Pulumi CLI validates
// `--policy-pack-config` against (with defaults) and the parser the policy runs, which fills the
// same defaults when an engine passes no config at all.
import type { PolicyConfigSchema } from "@pulumi/policy";
import { z } from "zod";
import { parsePriceCents } from "../fcp";

/** A price in config, in any spelling the resources accept; parsed to integer cents. */
export function priceConfig(description: string) {
  return z
    .union([z.number().nonnegative(), z.string().regex(/^\$\d{1,7}(\.\d{1,2})?$/, 'write prices as 12.5 or "$12.50"')])
    .transform((value, ctx) => {
      try {
        return parsePriceCents(value);
      } catch (e) {
        ctx.addIssue({ code: "custom", message: e instanceof Error ? e.message : String(e) });
        return z.NEVER;
      }
    })
    .describe(description);
}

/** The `configSchema` of a policy, from its zod schema. */
export function configSchemaOf(schema: z.ZodObject): PolicyConfigSchema {
  const json = z.toJSONSchema(schema, { io: "input" }) as {
    properties?: PolicyConfigSchema["properties"];
    required?: string[];
  };
  return { properties: json.properties ?? {}, ...(json.required?.length ? { required: json.required } : {}) };
}

export type ConfigResult<T> = { ok: true; config: T } | { ok: false; message: string };

/** Parses the config `getConfig()` returned; an invalid config becomes a message, not a throw. */
export function parseConfig<S extends z.ZodType>(policyName: string, schema: S, raw: unknown): ConfigResult<z.output<S>> {
  const parsed = schema.safeParse(raw ?? {});
  if (parsed.success) return { ok: true, config: parsed.data };
  const problems = parsed.error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message));
  return {
    ok: false,
    message:
      `The fcp-guardrails config for policy "${policyName}" is invalid (${problems.join("; ")}), so the policy ` +
      "could not run. Fix it in the file given to --policy-pack-config.",
  };
}
