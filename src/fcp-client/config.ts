// Where the API key, project, region, API URL and dialect come from, in the seed's precedence:
// explicit args > FLOW_* / FCP_* env (then the live client's MITHRIL_* names) >
// ./.flow/config.yaml > ~/.flow/config.yaml > ~/.flow/credentials.fcp (key only, refused unless
// private to its owner) > the live client's own config file > defaults.
//
// The live client (flow-compute) reads `$FLOW_CONFIG_PATH`, else `$FLOW_DIR/config.yaml`, else
// ~/.flow/config.yaml, with `api_key` at the top and `mithril: {api_url, project, region}`; it
// reads no credentials file. Its names are read after ours, so ours win where both are set.
import { API_KEY_ENV_NAMES } from "../fcp-api/api-key-env-names";
import { readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { AuthenticationError, ResourceNotFoundError, ValidationError, registerSecret } from "../fcp-api/errors";
import { type DialectSetting, parseDialectSetting } from "./dialect";
import { DEFAULT_API_URL } from "./http";
import type { Project } from "../fcp-api/models";

export interface FlowConfigInput {
  apiKey?: string;
  apiUrl?: string;
  /** Project name or FID. */
  project?: string;
  region?: string;
  /** `auto`, `seed` or `mithril` (see `FcpClientOptions.dialect`). */
  dialect?: string;
}

export type ConfigKey = keyof FlowConfigInput;

export interface FlowConfig {
  apiKey?: string;
  apiUrl: string;
  project?: string;
  region?: string;
  /** @default "auto" */
  dialect: DialectSetting;
  /** Where each value came from: "explicit", an env var name, a file path, or "default". */
  sources: Partial<Record<ConfigKey, string>>;
}

export interface LoadConfigContext {
  /** @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /** @default process.cwd() */
  cwd?: string;
  /** @default os.homedir() */
  homeDir?: string;
}

/** Where the API key may come from in the environment, highest first (the live client's name last). */
export const API_KEY_ENV_VARS = API_KEY_ENV_NAMES;

/** Env var names per setting, highest first. */
export const CONFIG_ENV_VARS: Readonly<Record<ConfigKey, readonly string[]>> = {
  apiKey: API_KEY_ENV_VARS,
  apiUrl: ["FLOW_API_URL", "FCP_API_URL", "MITHRIL_API_URL"],
  project: ["FLOW_PROJECT", "FCP_PROJECT", "FCP_DEFAULT_PROJECT", "MITHRIL_PROJECT"],
  region: ["FLOW_REGION", "FCP_REGION", "FCP_DEFAULT_REGION", "MITHRIL_REGION"],
  dialect: ["FLOW_DIALECT", "FCP_DIALECT"],
};

const KEYS: readonly ConfigKey[] = ["apiKey", "apiUrl", "project", "region", "dialect"];

const fileSection = z
  .object({
    api_key: z.string().optional(),
    apiKey: z.string().optional(),
    api_url: z.string().optional(),
    apiUrl: z.string().optional(),
    project: z.string().optional(),
    region: z.string().optional(),
    dialect: z.string().optional(),
  })
  .passthrough();

/** The live client's section: `mithril: {api_url, project, region}`. */
const mithrilSection = z.object({ api_url: z.string().optional(), project: z.string().optional(), region: z.string().optional() }).passthrough();

/**
 * Loads the configuration. Never throws for a missing key (callers that need one use
 * `requireApiKey`); throws a ValidationError for a malformed file or a credentials file that
 * group or others can read.
 */
export function loadConfig(explicit: FlowConfigInput = {}, context: LoadConfigContext = {}): FlowConfig {
  const env = context.env ?? process.env;
  const cwd = context.cwd ?? process.cwd();
  const home = context.homeDir ?? homedir();
  const out: FlowConfig = { apiUrl: DEFAULT_API_URL, dialect: "auto", sources: {} };
  const ours = [join(cwd, ".flow", "config.yaml"), join(home, ".flow", "config.yaml")];
  const liveClientFile = liveClientConfigPath(env, home);

  const layers: Array<() => [Partial<FlowConfigInput>, (k: ConfigKey) => string]> = [
    () => [explicit, () => "explicit"],
    () => {
      const values: Partial<FlowConfigInput> = {};
      const names: Partial<Record<ConfigKey, string>> = {};
      for (const key of KEYS) {
        const name = CONFIG_ENV_VARS[key].find((n) => env[n]?.trim());
        if (name) {
          values[key] = env[name]!.trim();
          names[key] = name;
        }
      }
      return [values, (k) => names[k]!];
    },
    () => readConfigFile(ours[0]),
    () => readConfigFile(ours[1]),
    () => {
      // Opened only when no key was found yet, so a key set elsewhere never trips its mode check.
      if (out.sources.apiKey) return [{}, () => ""];
      const path = join(home, ".flow", "credentials.fcp");
      return [{ apiKey: readCredentialsFile(path) }, () => path];
    },
    () => (ours.includes(liveClientFile) ? [{}, () => ""] : readConfigFile(liveClientFile)),
  ];
  for (const layer of layers) {
    if (KEYS.every((k) => out.sources[k])) break;
    const [values, source] = layer();
    for (const key of KEYS) {
      const v = values[key];
      if (v !== undefined && v !== "" && !out.sources[key]) {
        if (key === "dialect") out.dialect = parseDialectSetting(v, `dialect (from ${source(key)})`);
        else out[key] = v;
        out.sources[key] = source(key);
      }
    }
  }
  if (!out.sources.apiUrl) out.sources.apiUrl = "default";
  registerSecret(out.apiKey);
  return out;
}

/** The file the live client (flow-compute) reads: `$FLOW_CONFIG_PATH`, `$FLOW_DIR/config.yaml`, ~/.flow/config.yaml. */
export function liveClientConfigPath(env: Readonly<Record<string, string | undefined>>, home: string): string {
  const expand = (p: string) => (p.startsWith("~/") ? join(home, p.slice(2)) : p);
  const explicit = env.FLOW_CONFIG_PATH?.trim();
  if (explicit) return expand(explicit);
  const dir = env.FLOW_DIR?.trim();
  return join(dir ? expand(dir) : join(home, ".flow"), "config.yaml");
}

/** The key, or an AuthenticationError saying every place it could have come from. */
export function requireApiKey(config: FlowConfig): string {
  if (config.apiKey) return config.apiKey;
  throw new AuthenticationError("No FCP API key is configured.", {
    suggestions: [
      `Set ${API_KEY_ENV_VARS.join(" / ")},`,
      "or write `api_key = ...` to ~/.flow/credentials.fcp and run `chmod 600 ~/.flow/credentials.fcp`.",
      "Create a key at https://app.mlfoundry.com/account/apikeys.",
    ],
  });
}

/**
 * A project name or FID to its FID, through anything that lists projects (an FcpClient) or a
 * listing already at hand.
 */
export async function resolveProjectFid(
  nameOrFid: string,
  source: { listProjects(): Promise<Project[]> } | readonly Project[],
): Promise<string> {
  const projects = Array.isArray(source) ? (source as readonly Project[]) : await (source as { listProjects(): Promise<Project[]> }).listProjects();
  return resolveProjectFidIn(nameOrFid, projects);
}

/** Project name or FID → FID, from a project listing. */
export function resolveProjectFidIn(nameOrFid: string, projects: readonly Project[]): string {
  const byFid = projects.find((p) => p.fid === nameOrFid);
  if (byFid) return byFid.fid;
  const byName = projects.filter((p) => p.name === nameOrFid);
  if (byName.length === 1) return byName[0].fid;
  if (byName.length > 1) {
    throw new ValidationError(`Project name ${JSON.stringify(nameOrFid)} is ambiguous: ${byName.map((p) => p.fid).join(", ")}.`, {
      field: "project",
      suggestions: ["Use the project FID instead of its name."],
    });
  }
  const names = projects.map((p) => p.name);
  throw new ResourceNotFoundError(
    `Project ${JSON.stringify(nameOrFid)} was not found${names.length ? `; this API key sees ${names.join(", ")}` : ""}.`,
    {
      resourceType: "project",
      resourceId: nameOrFid,
      suggestions: ["Check the project name (FCP_PROJECT / FLOW_PROJECT), or create it in the FCP console."],
    },
  );
}

function readConfigFile(path: string): [Partial<FlowConfigInput>, (k: ConfigKey) => string] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return [{}, () => path];
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new ValidationError(`${path} is not valid YAML: ${(e as Error).message.split("\n")[0]}.`, {
      field: "config",
      suggestions: ["Fix the file, or move it away; keys are api_url, project, region."],
    });
  }
  if (doc === null || doc === undefined) return [{}, () => path];
  const parsed = z.object({ fcp: fileSection.optional(), mithril: mithrilSection.optional() }).passthrough().and(fileSection).safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(`${path}: ${issue.path.join(".") || "(top level)"} ${issue.message}.`, {
      field: "config",
      suggestions: ["Write plain strings: `project: my-project`, `region: us-central1-b`, `api_url: https://...`."],
    });
  }
  // A provider section (`fcp:`) refines the top level; the live client's `mithril:` fills gaps.
  const merged = { ...parsed.data, ...(parsed.data.fcp ?? {}) };
  const live = parsed.data.mithril ?? {};
  return [
    {
      apiKey: merged.api_key ?? merged.apiKey,
      apiUrl: merged.api_url ?? merged.apiUrl ?? live.api_url,
      project: merged.project ?? live.project,
      region: merged.region ?? live.region,
      dialect: merged.dialect,
    },
    () => path,
  ];
}

/**
 * Reads the key from an AWS-style credentials file (`[default]` / `api_key = ...`), a YAML
 * `api_key: ...` line, or a file holding only the key. Refuses a file group or others can read.
 */
export function readCredentialsFile(path: string): string | undefined {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch {
    return undefined;
  }
  if (process.platform !== "win32" && (mode & 0o077) !== 0) {
    const shown = (mode & 0o777).toString(8).padStart(4, "0");
    throw new ValidationError(
      `Refusing to read the API key from ${path}: the file is readable by group or others (mode ${shown}).`,
      {
        field: "apiKey",
        errorCode: "INSECURE_CREDENTIALS_FILE",
        suggestions: [`Run \`chmod 600 ${path}\` and try again.`, "Or pass the key through FCP_API_KEY instead."],
      },
    );
  }
  const lines = readFileSync(path, "utf8")
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#") && !l.startsWith(";"));
  for (const line of lines) {
    const m = /^(api_key|apikey|api-key|fcp_api_key)\s*[=:]\s*(.*)$/i.exec(line);
    if (m) return unquote(m[2]) || undefined;
  }
  const bare = lines.filter((l) => !/^\[.*\]$/.test(l));
  if (bare.length === 1 && !/[=:\s]/.test(bare[0])) return bare[0];
  return undefined;
}

function unquote(s: string): string {
  const t = s.trim();
  return /^(["']).*\1$/.test(t) ? t.slice(1, -1) : t;
}
