// The demo through the Pulumi CLI, for machines that have it: a throwaway file backend, the
// example stack, the GitOps preview with the policy pack, destroy.
import * as path from "node:path";
import { spawn } from "node:child_process";
import type { RunningEmulator } from "pulumi-fcp/emulator";
import { POLICY_CONFIG, POLICY_PACK, STACK_DIR } from "./demo";
import { heading, line } from "./print";
import { peekOverSsh, showRendezvous } from "./ssh-peek";

export async function runWithPulumiCli(ctx: { emulator: RunningEmulator; work: string; env: Record<string, string> }): Promise<void> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...ctx.env,
    PULUMI_BACKEND_URL: `file://${ctx.work}`,
    PULUMI_CONFIG_PASSPHRASE: "demo",
    PULUMI_SKIP_UPDATE_CHECK: "true",
  };
  // Asynchronous on purpose: the emulator serves from this process, so a synchronous spawn would
  // block it and every provider call would time out.
  const pulumi = async (args: string[], options: { allowFailure?: boolean; quiet?: boolean } = {}) => {
    const r = await run("pulumi", [...args, "--cwd", STACK_DIR, "--non-interactive"], env);
    if (!options.quiet) process.stdout.write(indent(r.stdout));
    if (r.status !== 0 && !options.allowFailure) throw new Error(`pulumi ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
    return r;
  };
  await pulumi(["stack", "init", "demo"], { quiet: true });
  await pulumi(["config", "set", "fcp:apiUrl", ctx.emulator.url], { quiet: true });
  await pulumi(["config", "set", "--secret", "fcp:apiKey", ctx.emulator.apiKey], { quiet: true });
  await pulumi(["config", "set", "fcp:project", "my-project"], { quiet: true });
  await pulumi(["config", "set", "numInstances", "2"], { quiet: true });
  await pulumi(["config", "set", "launcher", "rendezvous"], { quiet: true });
  await pulumi(["config", "set", "clusterBootstrap", String(ctx.emulator.instances.mode === "sandbox")], { quiet: true });
  try {
    heading("pulumi up  (examples/stacks/training-cluster, numInstances 2)");
    await pulumi(["up", "--yes"]);
    heading("Stack outputs");
    await pulumi(["stack", "output"]);
    const out = JSON.parse((await pulumi(["stack", "output", "--json", "--show-secrets"], { quiet: true })).stdout) as { sshHosts?: string[]; privateKey?: string; nodes?: never[]; clusterReadyAt?: string };
    await peekOverSsh(ctx.emulator, out.sshHosts ?? [], out.privateKey ?? "");
    await showRendezvous(ctx.emulator, out.nodes ?? [], out.privateKey ?? "", out.clusterReadyAt);
    heading("pull request: numInstances 2 → 4  (pulumi preview --policy-pack policy-pack)");
    await pulumi(["config", "set", "numInstances", "4"], { quiet: true });
    // hourly-spend-change reads the spend before the change from the export, as in examples/gitops.
    await pulumi(["stack", "export", "--file", (env.FCP_GUARDRAILS_PREVIOUS_STATE = path.join(ctx.work, "previous.json"))], { quiet: true });
    const preview = await pulumi(["preview", "--diff", "--policy-pack", POLICY_PACK, "--policy-pack-config", POLICY_CONFIG], { allowFailure: true });
    line(preview.status === 0 ? "=> this pull request may merge" : "=> this pull request is blocked by a mandatory policy: nothing would be bid on");
    await pulumi(["config", "set", "numInstances", "2"], { quiet: true });
  } finally {
    heading("pulumi destroy");
    await pulumi(["destroy", "--yes"]);
    await pulumi(["stack", "rm", "--yes", "demo"], { quiet: true, allowFailure: true });
  }
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => (l ? `  ${l}` : l))
    .join("\n");
}
