// Where a dynamic resource gets its FCP endpoint, key and project: per-resource inputs, then the
// stack config the plugin received in `configure` (`fcp:apiKey`, ..., `fcp:dialect`), then
// FCP_*/FLOW_* (and the live client's MITHRIL_*) env vars and ~/.flow files, read at call time. Clients are built here, inside the plugin, from plain
// values: nothing live is ever captured into a serialized provider.
import type * as pulumi from "@pulumi/pulumi";
import type { FcpClient } from "../fcp-client/client";
import { sharedFcpClient } from "../fcp-client/client-registry";
import { loadConfig, requireApiKey, type FlowConfigInput } from "../fcp-client/config";
import { parseDialectSetting } from "../fcp-client/dialect";
import { ValidationError } from "../fcp-api/errors";

const CONFIG_KEYS = { apiKey: "fcp:apiKey", apiUrl: "fcp:apiUrl", project: "fcp:project", region: "fcp:region", dialect: "fcp:dialect" } as const;

let stackConfig: FlowConfigInput = {};

/** Called once per serialized provider by the plugin with the stack's configuration. */
export async function configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
  const next: FlowConfigInput = {};
  for (const [key, name] of Object.entries(CONFIG_KEYS) as [keyof FlowConfigInput, string][]) {
    const value = req.config.get(name);
    if (value !== undefined && value !== "") next[key] = value;
  }
  stackConfig = next;
}

export interface ResourceEndpoint {
  apiUrl?: string;
  project?: string;
}

export interface FcpConnection {
  client: FcpClient;
  project: string;
  region?: string;
}

/** The per-resource endpoint overrides found in a resource's inputs or outputs. */
export function endpointOf(props: Record<string, unknown>): ResourceEndpoint {
  return {
    apiUrl: typeof props.apiUrl === "string" ? props.apiUrl : undefined,
    project: typeof props.project === "string" ? props.project : undefined,
  };
}

/** The client for a resource; one per endpoint, key and project, shared by the whole plugin. */
export function connectionFor(overrides: ResourceEndpoint): FcpConnection {
  const config = loadConfig({
    apiKey: stackConfig.apiKey,
    apiUrl: overrides.apiUrl ?? stackConfig.apiUrl,
    project: overrides.project ?? stackConfig.project,
    region: stackConfig.region,
    dialect: stackConfig.dialect === undefined ? undefined : parseDialectSetting(stackConfig.dialect, "The stack config fcp:dialect"),
  });
  const apiKey = requireApiKey(config);
  if (!config.project) {
    throw new ValidationError("No FCP project is configured.", {
      field: "project",
      suggestions: ["Run `pulumi config set fcp:project <name-or-fid>`, or set FCP_PROJECT."],
    });
  }
  const client = sharedFcpClient({ apiKey, apiUrl: config.apiUrl, project: config.project, region: config.region, dialect: config.dialect, pollIntervalMs: pollIntervalMs() });
  return { client, project: config.project, region: config.region };
}

/** Default region for `check`, without any network call. */
export function defaultRegion(): string | undefined {
  try {
    return loadConfig({ region: stackConfig.region }).region;
  } catch {
    return stackConfig.region;
  }
}

/** How often waits poll FCP. Env `FCP_POLL_INTERVAL_MS` (tests and impatient users). */
export function pollIntervalMs(): number {
  const raw = Number(process.env.FCP_POLL_INTERVAL_MS);
  return Number.isFinite(raw) && raw >= 50 ? raw : 5_000;
}
