// `flow init`: asks (on a terminal) or takes flags, checks the key with GET /v2/me, then writes
// ~/.flow/config.yaml (api_url, project, region) and ~/.flow/credentials.fcp (the key), both 0600.
// The key is never printed, not even in part; prefer --api-key-stdin or FCP_API_KEY to keep it
// out of the process list.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { parse, stringify } from "yaml";
import { registerSecret } from "../../fcp-api/errors";
import { FcpClient } from "../../fcp-client/client";
import { DEFAULT_API_URL } from "../../fcp-client/http";
import { UsageError } from "../exit-codes";
import { printJson, println } from "../output";
import { ask } from "../prompt";

interface InitOptions {
  apiKey?: string;
  apiKeyStdin?: boolean;
  apiUrl?: string;
  project?: string;
  region?: string;
  json?: boolean;
}

export function registerInit(program: Command): void {
  program
    .command("init")
    .description("write ~/.flow/config.yaml and ~/.flow/credentials.fcp (asks on a terminal)")
    .option("--api-key <key>", "the FCP API key (visible to `ps`; prefer --api-key-stdin or FCP_API_KEY)")
    .option("--api-key-stdin", "read the API key from stdin")
    .option("--json", "print what was written as JSON (never the key)")
    .action(async (o: InitOptions, cmd: Command) => {
      const g = cmd.optsWithGlobals<InitOptions>();
      const interactive = process.stdin.isTTY && process.stderr.isTTY && !o.apiKey && !o.apiKeyStdin;
      let apiKey = o.apiKey ?? (o.apiKeyStdin ? readFileSync(0, "utf8").trim() : process.env.FCP_API_KEY ?? process.env.FLOW_API_KEY);
      let apiUrl = g.apiUrl ?? process.env.FCP_API_URL ?? process.env.FLOW_API_URL;
      let project = g.project;
      let region = g.region;
      if (interactive) {
        if (!apiKey) apiKey = await ask("FCP API key (input hidden)", { hidden: true });
        apiUrl = await ask("API URL", { default: apiUrl ?? DEFAULT_API_URL });
      }
      if (!apiKey) {
        throw new UsageError("flow init needs an API key.", ["Run it on a terminal, or pass --api-key-stdin (echo $KEY | flow init --api-key-stdin), or set FCP_API_KEY."]);
      }
      registerSecret(apiKey);
      apiUrl ??= DEFAULT_API_URL;
      const client = new FcpClient({ apiKey, apiUrl, maxRetries: 1 });
      try {
        const user = await client.getCurrentUser();
        const projects = await client.listProjects();
        if (interactive) {
          if (!project) project = await ask(`Project (${projects.map((p) => p.name).join(", ")})`, { default: projects[0]?.name });
          if (!region) region = await ask("Default region", { default: "us-central1-b" });
        }
        if (project && !projects.some((p) => p.name === project || p.fid === project)) {
          throw new UsageError(`Project ${JSON.stringify(project)} is not one this key sees (${projects.map((p) => p.name).join(", ") || "none"}).`, [
            "Pass --project with one of them.",
          ]);
        }
        const dir = join(homedir(), ".flow");
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        const config: Record<string, string> = { api_url: apiUrl };
        if (project) config.project = project;
        if (region) config.region = region;
        const configFile = join(dir, "config.yaml");
        const kept = existsSync(configFile) ? keptSections(readFileSync(configFile, "utf8")) : {};
        writePrivate(configFile, stringify({ ...kept, ...config }));
        const credentialsFile = join(dir, "credentials.fcp");
        writePrivate(credentialsFile, `[default]\napi_key = ${apiKey}\n`);
        const who = user.email ?? user.username ?? user.fid ?? "(unknown user)";
        if (o.json) return printJson({ user: who, configFile, credentialsFile, apiUrl, project, region });
        println(`API key verified for ${who}.`);
        println(`Wrote ${configFile} and ${credentialsFile} (mode 0600).`);
      } finally {
        await client.close();
      }
    });
}

/** Sections other tools keep in config.yaml (e.g. `slurm:`) survive a re-init. */
function keptSections(text: string): Record<string, unknown> {
  try {
    const doc = parse(text) as Record<string, unknown> | null;
    if (!doc || typeof doc !== "object") return {};
    const { api_key: _k, apiKey: _k2, ...rest } = doc;
    return rest;
  } catch {
    return {};
  }
}

function writePrivate(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}
