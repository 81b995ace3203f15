// The demo through LocalEngine: the same steps a user takes with the CLI.
import * as path from "node:path";
import type { RunningEmulator } from "pulumi-fcp/emulator";
import { DeploymentError, LocalEngine, type ConfigMap, type OperationResult } from "pulumi-fcp/testing";
import { trainingCluster } from "../../examples/stacks/training-cluster/program";
import { POLICY_CONFIG, POLICY_PACK, REPO_ROOT } from "./demo";
import { heading, line, steps } from "./print";
import { peekOverSsh, showRendezvous } from "./ssh-peek";
import { readFileSync, writeFileSync } from "node:fs";

export async function runWithLocalEngine(ctx: { emulator: RunningEmulator; work: string; env: Record<string, string> }): Promise<void> {
  const stackConfig = (numInstances: number): ConfigMap => ({
    "fcp:apiKey": { value: ctx.emulator.apiKey, secret: true },
    "fcp:apiUrl": ctx.emulator.url,
    "fcp:project": "my-project",
    "training-cluster:numInstances": numInstances,
    // The stand-in for torchrun: the nodes rendezvous and say which ranks met.
    "training-cluster:launcher": "rendezvous",
    "training-cluster:clusterBootstrap": ctx.emulator.instances.mode === "sandbox",
  });
  const engine = (numInstances: number, policies: boolean) =>
    new LocalEngine({
      project: "training-cluster",
      stack: "demo",
      stateFile: path.join(ctx.work, "demo.state.json"),
      secretsPassphrase: "demo",
      cwd: REPO_ROOT,
      config: stackConfig(numInstances),
      env: ctx.env,
      ...(policies
        ? { policyPacks: [POLICY_PACK], policyPackConfig: { [POLICY_PACK]: JSON.parse(readFileSync(POLICY_CONFIG, "utf8")) } }
        : {}),
    });

  heading("pulumi up  (examples/stacks/training-cluster, numInstances 2)");
  const main = engine(2, false);
  try {
    const up = await main.up(async () => trainingCluster());
    steps(up.ops.map((o) => ({ op: o.op, type: o.type, name: o.name })));
    outputs(up);
    await peekOverSsh(ctx.emulator, up.outputs.sshHosts.value as string[], up.outputs.privateKey.value as string);
    await showRendezvous(ctx.emulator, up.outputs.nodes.value as never, up.outputs.privateKey.value as string, up.outputs.clusterReadyAt?.value as string | undefined);
  } finally {
    await main.close();
  }

  heading("pull request: numInstances 2 → 4  (pulumi preview --policy-pack policy-pack)");
  // What `pulumi stack export` gives the GitOps job: hourly-spend-change reads the spend before the change from it.
  ctx.env.FCP_GUARDRAILS_PREVIOUS_STATE = await exportState(engine(2, false), path.join(ctx.work, "previous.json"));
  const pr = engine(4, true);
  try {
    const preview = await pr.preview(async () => trainingCluster());
    steps(preview.ops.map((o) => ({ op: o.op, type: o.type, name: o.name, keys: o.replaceKeys.length ? o.replaceKeys : o.changedKeys })));
    verdict(preview);
  } catch (err) {
    if (!(err instanceof DeploymentError)) throw err;
    steps(err.result.ops.map((o) => ({ op: o.op, type: o.type, name: o.name, keys: o.replaceKeys.length ? o.replaceKeys : o.changedKeys })));
    verdict(err.result);
  } finally {
    await pr.close();
  }

  heading("pulumi destroy");
  const down = engine(2, false);
  try {
    const result = await down.destroy();
    line(`${result.summary.delete} resources deleted`);
  } finally {
    await down.close();
  }
}

/** The stack's resources in `pulumi stack export`'s shape, written to `file`. */
async function exportState(engine: LocalEngine, file: string): Promise<string> {
  try {
    writeFileSync(file, JSON.stringify({ version: 3, deployment: { resources: await engine.resources() } }));
    return file;
  } finally {
    await engine.close();
  }
}

function outputs(result: OperationResult): void {
  heading("Stack outputs");
  const o = result.outputs;
  line(`bid:          ${o.bidId.value} (${o.status.value}, ${o.instanceType.value})`);
  line(`hourly cost:  ${o.hourlyCost.value} at most (limit price × instances)`);
  for (const host of o.sshHosts.value as string[]) line(`ssh host:     ${host}`);
  for (const cmd of o.sshCommands.value as string[]) line(`ssh command:  ${cmd}`);
  line(`private key:  [secret] (pulumi stack output privateKey --show-secrets)`);
  line(`startup script: ${o.startupScriptBytes.value} of 10,000 characters`);
}

function verdict(result: OperationResult): void {
  heading("Policy verdict (fcp-guardrails)");
  if (!result.policyViolations.length) line("all policies pass");
  for (const v of result.policyViolations) {
    // The analyzer puts the policy's description first; the finding is what a reviewer needs.
    const finding = v.message.replace(/\s+/g, " ").trim().replace(/^Checks whether[^.]*\.\s*/, "");
    line(`${v.enforcementLevel.toUpperCase()} ${v.policyName}: ${finding}`);
  }
  const blocked = result.policyViolations.some((v) => v.enforcementLevel === "mandatory");
  line(blocked ? "=> this pull request is blocked: nothing would be bid on" : "=> this pull request may merge");
}
