import type { ResourceValidationPolicy } from "@pulumi/policy";
import { z } from "zod";
import {
  cannotEvaluateUntilApply,
  configSchemaOf,
  describeResource,
  findCredential,
  parseConfig,
  readProp,
  RECHECK_BEFORE_CREATE,
  TASK_TYPE,
  UNKNOWN,
  type UnknownValue,
} from "../lib";

/** What a Task stores in place of an env value that was a Pulumi secret. */
export const SECRET_PLACEHOLDER = "[secret]";

export const noSecretsInEnvConfig = z
  .object({
    allowNames: z
      .array(z.string().min(1))
      .prefault([])
      .describe("Env var names never flagged (for values that only look like credentials)."),
    checkGenericNames: z
      .boolean()
      .prefault(true)
      .describe(
        "Also flag random-looking values under secret-like names (*_TOKEN, *_SECRET, *_KEY, *PASSWORD, ...), " +
          "besides recognised token formats (AWS, GitHub, Slack, Hugging Face, OpenAI, W&B, private keys).",
      ),
  })
  .strict();

export const noSecretsInEnv: ResourceValidationPolicy = {
  name: "no-secrets-in-env",
  description: "Checks whether an FCP Task's env holds plaintext values that look like credentials (cloud keys, tokens, private keys); recommends secretEnv for them.",
  // A plaintext credential reaches the program's source, the stack state and every preview before
  // anyone notices; once applied it has to be rotated. secretEnv costs one line and keeps it out of
  // the bid's startup script (readable by every project member) as well as out of state.
  enforcementLevel: "mandatory",
  configSchema: configSchemaOf(noSecretsInEnvConfig),
  validateResource: (args, reportViolation) => {
    if (args.type !== TASK_TYPE) return;
    const parsed = parseConfig("no-secrets-in-env", noSecretsInEnvConfig, args.getConfig());
    if (!parsed.ok) return reportViolation(parsed.message);
    const { allowNames, checkGenericNames } = parsed.config;
    const who = describeResource(args.type, args.name);

    const env = readProp(args.props, "env");
    if (env === UNKNOWN) throw cannotEvaluateUntilApply([{ key: "env", of: who }], RECHECK_BEFORE_CREATE);
    if (typeof env !== "object" || env === null) return;
    const values = env as Readonly<Record<string, unknown>>;

    const unknown: UnknownValue[] = [];
    for (const name of Object.keys(values)) {
      if (allowNames.includes(name)) continue;
      const value = readProp(values, name);
      if (value === UNKNOWN) {
        unknown.push({ key: `env.${name}`, of: who });
        continue;
      }
      if (typeof value !== "string" || value === SECRET_PLACEHOLDER) continue;
      const kind = findCredential(name, value, checkGenericNames);
      if (kind !== undefined) {
        reportViolation(
          `${who} sets env.${name} to what looks like ${kind}, in plaintext: it sits in the program, the stack ` +
            `state and every preview. Move it to secretEnv (secretEnv: { ${name}: config.requireSecret("...") }): ` +
            "the cluster bootstrap delivers it over SSH into a root-only file, so it is in no startup script and not on FCP. " +
            "Or list the name in allowNames in the policy config if it is not a credential.",
        );
      }
    }
    if (unknown.length) throw cannotEvaluateUntilApply(unknown, RECHECK_BEFORE_CREATE);
  },
};
