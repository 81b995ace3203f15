// `npm run demo`: the README's first command. Starts the FCP emulator on a free port, deploys
// examples/stacks/training-cluster, prints what a user reads from the stack outputs, previews the
// GitOps pull request numInstances 2 → 4 with the fcp-guardrails policy pack, and destroys
// everything. It uses the Pulumi CLI when one is on PATH (with a throwaway local backend) and
// the LocalEngine otherwise, and says which.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { FcpClient, TERMINAL_BID_STATUSES, closeSharedFcpClients } from "pulumi-fcp";
import { startEmulator } from "pulumi-fcp/emulator";
import { runWithLocalEngine } from "./local-engine-run";
import { runWithPulumiCli } from "./pulumi-cli-run";
import { heading, line } from "./print";

export const REPO_ROOT = path.resolve(__dirname, "../..");
export const STACK_DIR = path.join(REPO_ROOT, "examples/stacks/training-cluster");
export const POLICY_PACK = path.join(REPO_ROOT, "policy-pack");
export const POLICY_CONFIG = path.join(REPO_ROOT, "examples/gitops/policy.json");

async function main(): Promise<number> {
  const started = Date.now();
  const emulator = await startEmulator({ port: 0, provisionSeconds: 2 });
  const work = mkdtempSync(path.join(tmpdir(), "pulumi-fcp-demo-"));
  const client = new FcpClient({ apiKey: emulator.apiKey, apiUrl: emulator.url, project: "my-project" });
  try {
    heading("FCP emulator");
    line(`listening on ${emulator.url} (project my-project, key ${emulator.apiKey}); no FCP account, no money`);

    const cli = spawnSync("pulumi", ["version"], { encoding: "utf8" });
    const useCli = cli.status === 0 && process.env.PULUMI_FCP_DEMO_ENGINE !== "local";
    const env = { HOME: work, FCP_POLL_INTERVAL_MS: "250" };
    if (useCli) {
      line(`engine: the Pulumi CLI ${cli.stdout.trim()} with a temporary local backend in ${work}`);
      await runWithPulumiCli({ emulator, work, env });
    } else {
      line("engine: LocalEngine (pulumi-fcp/testing): no Pulumi CLI on PATH, so the real dynamic-provider and policy plugins run without it");
      await runWithLocalEngine({ emulator, work, env });
    }

    const live = (await client.listBids()).filter((b) => !TERMINAL_BID_STATUSES.includes(b.status));
    heading("After destroy");
    line(`live bids: ${live.length}, volumes: ${(await client.listVolumes()).length}, SSH keys: ${(await client.listSshKeys()).length}`);
    line(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return live.length === 0 ? 0 : 1;
  } finally {
    await client.close();
    await closeSharedFcpClients();
    await emulator.close();
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`\ndemo failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
