// The demo through the Pulumi CLI, for machines that have it: a throwaway file backend, the
// example stack, the GitOps preview with the policy pack, destroy.
import { spawnSync } from "node:child_process";
import type { RunningEmulator } from "pulumi-fcp/emulator";
import { POLICY_CONFIG, POLICY_PACK, STACK_DIR } from "./demo";
import { heading, line } from "./print";
import { peekOverSsh } from "./ssh-peek";

export async function runWithPulumiCli(ctx: { emulator: RunningEmulator; work: string; env: Record<string, string> }): Promise<void> {
  const env = {
    ...process.env,
    ...ctx.env,
    PULUMI_BACKEND_URL: `file://${ctx.work}`,
    PULUMI_CONFIG_PASSPHRASE: "demo",
    PULUMI_SKIP_UPDATE_CHECK: "true",
  };
  const pulumi = (args: string[], options: { allowFailure?: boolean; quiet?: boolean } = {}) => {
    const r = spawnSync("pulumi", [...args, "--cwd", STACK_DIR, "--non-interactive"], { env, encoding: "utf8" });
    if (!options.quiet) process.stdout.write(indent(r.stdout));
    if (r.status !== 0 && !options.allowFailure) throw new Error(`pulumi ${args.join(" ")} failed:\n${r.stderr}`);
    return r;
  };
  pulumi(["stack", "init", "demo"], { quiet: true });
  pulumi(["config", "set", "fcp:apiUrl", ctx.emulator.url], { quiet: true });
  pulumi(["config", "set", "--secret", "fcp:apiKey", ctx.emulator.apiKey], { quiet: true });
  pulumi(["config", "set", "fcp:project", "my-project"], { quiet: true });
  pulumi(["config", "set", "numInstances", "2"], { quiet: true });
  try {
    heading("pulumi up  (examples/stacks/training-cluster, numInstances 2)");
    pulumi(["up", "--yes"]);
    heading("Stack outputs");
    pulumi(["stack", "output"]);
    const out = JSON.parse(pulumi(["stack", "output", "--json", "--show-secrets"], { quiet: true }).stdout) as { sshHosts?: string[]; privateKey?: string };
    await peekOverSsh(ctx.emulator, out.sshHosts ?? [], out.privateKey ?? "");
    heading("pull request: numInstances 2 → 4  (pulumi preview --policy-pack policy-pack)");
    pulumi(["config", "set", "numInstances", "4"], { quiet: true });
    const preview = pulumi(["preview", "--diff", "--policy-pack", POLICY_PACK, "--policy-pack-config", POLICY_CONFIG], { allowFailure: true });
    line(preview.status === 0 ? "=> this pull request may merge" : "=> this pull request is blocked by a mandatory policy: nothing would be bid on");
    pulumi(["config", "set", "numInstances", "2"], { quiet: true });
  } finally {
    heading("pulumi destroy");
    pulumi(["destroy", "--yes"]);
    pulumi(["stack", "rm", "--yes", "demo"], { quiet: true, allowFailure: true });
  }
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => (l ? `  ${l}` : l))
    .join("\n");
}
