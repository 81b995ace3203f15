// Parsing a TaskConfig as users write it, camelCase or the seed's snake_case: every problem at once,
// in the user's own spelling, with "did you mean".
import { issueMessage } from "../../fcp-api/issue-messages";
import { ValidationError, type FieldError } from "../../fcp-api/errors";
import { isPlainObject, preview, typeName } from "./describe-value";
import { fieldError, normalizeKeys, restyle, valueAt } from "./normalize-keys";
import { buildSchema, explainUnknownKey, taskConfigSchema } from "./schema";
import type { TaskConfig, TaskConfigParseOptions } from "./types";

/** The outcome of {@link validateTaskConfig}: a config, or every problem found. */
export interface TaskConfigValidation {
  config?: TaskConfig;
  /** One entry per problem; `field` is a path as the user wrote it (`volumes[0].mount_path`). */
  errors: FieldError[];
  /** What to do about them, "did you mean" first. */
  suggestions: string[];
}

/**
 * Validates a TaskConfig written in camelCase or the seed's snake_case (`instance_type`,
 * `max_price_per_hour`, volume `mount_path`, ...) without throwing. For a Pulumi component
 * validating known values: turn `errors` into messages or check failures.
 */
export function validateTaskConfig(input: unknown, options: TaskConfigParseOptions = {}): TaskConfigValidation {
  if (!isPlainObject(input)) {
    return {
      errors: [{ field: "(config)", message: `must be an object of TaskConfig fields, not ${typeName(input)}` }],
      suggestions: ['Write e.g. {name: "train", instanceType: "a100", command: ["python", "train.py"]}.'],
    };
  }
  const normalized = normalizeKeys(input);
  const schema = options.instanceTypeOverrides ? buildSchema(options.instanceTypeOverrides) : taskConfigSchema;
  const result = schema.safeParse(normalized.value);
  const errors: FieldError[] = [];
  const suggestions: string[] = [];
  if (!result.success) {
    for (const iss of result.error.issues) {
      if (iss.code === "unrecognized_keys") {
        for (const key of iss.keys) {
          const path = [...iss.path, key];
          const value = valueAt(normalized.value, path);
          const report = explainUnknownKey(key, iss.path.length ? "volume" : "task", value);
          errors.push(fieldError(normalized, path, report.message, value));
          suggestions.push(...report.suggestions);
        }
        continue;
      }
      // Env values and scripts may hold credentials: their messages name the kind, not the value.
      const hideValue = ["env", "script", "shell", "command"].includes(String(iss.path[0]));
      errors.push(fieldError(normalized, iss.path, issueMessage(iss, normalized.value, { hideValue }).reason, valueAt(normalized.value, iss.path)));
      const params = (iss as { params?: { suggestions?: unknown } }).params;
      if (Array.isArray(params?.suggestions)) suggestions.push(...params.suggestions.map(String));
    }
  }
  // Spelling clashes are quoted exactly as written, so they are not restyled.
  const all = [...normalized.errors, ...errors.map((e) => ({ ...e, message: restyle(e.message, normalized.snake) }))];
  const unique = [...new Set(suggestions.map((s) => restyle(s, normalized.snake)))];
  if (all.length) return { errors: all, suggestions: unique };
  return { config: result.data, errors: [], suggestions: [] };
}

/**
 * Parses a TaskConfig written in camelCase or the seed's snake_case. Throws one
 * `ValidationError` listing every problem (its `fieldErrors`), with "did you mean" suggestions
 * for the seed's common mistakes (`environment`, `ssh_key`, `max_price`, `instance_count`, ...).
 *
 * @example
 * const config = parseTaskConfig({
 *   name: "gpu-training",
 *   instanceType: "8xh100",
 *   command: ["torchrun", "--nproc_per_node=8", "train.py"],
 *   volumes: [{ sizeGb: 500, mountPath: "/data", interface: "file" }],
 *   maxPricePerHour: "$25.00",
 *   numInstances: 2,
 * });
 */
export function parseTaskConfig(input: unknown, options: TaskConfigParseOptions = {}): TaskConfig {
  const { config, errors, suggestions } = validateTaskConfig(input, options);
  if (config) return config;
  const name = isPlainObject(input) && typeof input.name === "string" ? ` ${JSON.stringify(input.name)}` : "";
  const lines = errors.map((e) => {
    const quoted = typeof e.value === "string" && e.message.includes(JSON.stringify(e.value));
    const shown = e.value === undefined || quoted ? "" : ` (got ${preview(e.value)})`;
    return `  - ${e.field}: ${e.message}${shown}`;
  });
  throw new ValidationError(`Invalid TaskConfig${name}: ${errors.length} problem${errors.length === 1 ? "" : "s"}:\n${lines.join("\n")}`, {
    field: errors.length === 1 ? errors[0].field : undefined,
    fieldErrors: errors,
    suggestions,
  });
}

