// Stack configuration: what `Pulumi.<stack>.yaml` holds under the CLI. The program reads it with
// `pulumi.Config`; the dynamic provider's `configure` gets every key with its namespace kept
// (`req.config.get("fcp:apiKey")`), secrets included, exactly as the CLI sends it.
import { LocalEngineError } from "./errors";
import { makeSecret, type PropertyMap } from "./property-values";

type Plain = string | number | boolean;

/**
 * One configuration value: a plain value, or `{ value, secret: true }` for a secret.
 * Objects and arrays become JSON text, as structured config does under the CLI.
 */
export type ConfigValue = Plain | { value: Plain | object; secret?: boolean };

/** Configuration keyed `namespace:key`; a key without a namespace belongs to the project. */
export type ConfigMap = Record<string, ConfigValue>;

export interface ResolvedConfig {
  /** Fully qualified key to the string value the program sees. */
  values: Record<string, string>;
  secretKeys: string[];
}

const KEY = /^[^:\s]+:[^:\s]+$/;

export function resolveConfig(project: string, config: ConfigMap | undefined): ResolvedConfig {
  const values: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [rawKey, entry] of Object.entries(config ?? {})) {
    const key = rawKey.includes(":") ? rawKey : `${project}:${rawKey}`;
    if (!KEY.test(key)) {
      throw new LocalEngineError(
        `config key "${rawKey}" is not valid: use "namespace:name" (e.g. "fcp:apiKey") or a bare name for the project.`,
      );
    }
    if (key in values) {
      throw new LocalEngineError(`config key "${key}" is given twice (as "${rawKey}" and with its namespace).`);
    }
    const isWrapped = typeof entry === "object" && entry !== null;
    const value = isWrapped ? entry.value : entry;
    if (value === undefined || value === null) {
      throw new LocalEngineError(`config key "${key}" has no value.`);
    }
    values[key] = typeof value === "object" ? JSON.stringify(value) : String(value);
    if (isWrapped && entry.secret === true) {
      secretKeys.push(key);
    }
  }
  return { values, secretKeys };
}

/** The `Configure` args the CLI sends a dynamic provider: namespaced keys, secrets marked. */
export function providerConfigArgs(config: ResolvedConfig): PropertyMap {
  const args: PropertyMap = {};
  for (const [key, value] of Object.entries(config.values)) {
    args[key] = config.secretKeys.includes(key) ? makeSecret(value) : value;
  }
  return args;
}
