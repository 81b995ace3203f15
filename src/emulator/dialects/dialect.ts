// Which wire dialect the emulator speaks. The store and the market are shared; only how requests
// are read, how records are shown and how errors look differ (the files beside this one).
import { STARTUP_SCRIPT_MAX_CHARS } from "../../fcp-api/limits";

export const EMULATOR_DIALECTS = ["seed", "mithril"] as const;
export type EmulatorDialect = (typeof EMULATOR_DIALECTS)[number];

/** The dialect served when none is chosen: the seed's FCP v2 reference. */
export const DEFAULT_DIALECT: EmulatorDialect = "seed";

/** Environment variable that picks the dialect of `fcp-emulator` and of `startEmulator`. */
export const DIALECT_ENV = "FCP_EMULATOR_DIALECT";

export interface DialectSettings {
  dialect: EmulatorDialect;
  /**
   * The longest startup script a bid may carry, in characters. Seed: "10,000 characters" (API
   * reference). Mithril: the OpenAPI document gives no maxLength for
   * `launch_specification.startup_script`; flow-compute's `core/constants.py`
   * (`STARTUP_SCRIPT_MAX_SIZE = 10 * 1000`) cites https://docs.mithril.ai/compute-and-storage/startup-scripts
   * for a 10,000-character limit, so both dialects keep 10,000.
   */
  maxStartupScriptChars: number;
}

export const DIALECT_SETTINGS: Readonly<Record<EmulatorDialect, DialectSettings>> = {
  seed: { dialect: "seed", maxStartupScriptChars: STARTUP_SCRIPT_MAX_CHARS },
  mithril: { dialect: "mithril", maxStartupScriptChars: STARTUP_SCRIPT_MAX_CHARS },
};

export function isEmulatorDialect(value: unknown): value is EmulatorDialect {
  return typeof value === "string" && (EMULATOR_DIALECTS as readonly string[]).includes(value);
}

/**
 * The dialect from an option, else from FCP_EMULATOR_DIALECT, else the default. A value that
 * names no dialect is an error that lists the ones there are.
 */
export function resolveDialect(option: string | undefined, env: NodeJS.ProcessEnv = process.env): EmulatorDialect {
  const [value, source] = option !== undefined ? [option, "dialect"] : [env[DIALECT_ENV], DIALECT_ENV];
  if (value === undefined || value === "") return DEFAULT_DIALECT;
  if (isEmulatorDialect(value)) return value;
  throw new RangeError(`${source} must be one of ${EMULATOR_DIALECTS.join(", ")}; got ${JSON.stringify(value)}.`);
}
