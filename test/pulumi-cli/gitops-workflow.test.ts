// The GitOps example's workflow steps (examples/gitops/preview-with-guardrails.yml), run here as
// written: the instance-count diff of a pull request, the guarded preview through the real CLI,
// and the pull-request comment built from both (everything but the final `gh pr comment`).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { closeSharedFcpClients } from "pulumi-fcp";
import { startEmulator, type RunningEmulator } from "pulumi-fcp/emulator";
import { PulumiWorkspace, REPO_ROOT, findPulumiBin } from "./pulumi-cli";

const workflowSchema = z.object({
  env: z.record(z.string(), z.string()),
  jobs: z.object({ preview: z.object({ steps: z.array(z.object({ name: z.string().optional(), run: z.string().optional() })) }) }),
});
const workflow = workflowSchema.parse(parse(readFileSync(path.join(REPO_ROOT, "examples/gitops/preview-with-guardrails.yml"), "utf8")));
const step = (name: string): string => {
  const run = workflow.jobs.preview.steps.find((s) => s.name === name)?.run;
  if (!run) throw new Error(`the workflow has no step named "${name}" with a run script`);
  return run.replaceAll("${{ github.base_ref }}", "main");
};

const bin = findPulumiBin(); // throws, failing the suite, when there is no CLI
const stackDir = path.join(REPO_ROOT, "examples/stacks/training-cluster");
let emulator: RunningEmulator;
let cli: PulumiWorkspace;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), "pulumi-fcp-gitops-"));
  emulator = await startEmulator({ port: 0, provisionSeconds: 1 });
  cli = new PulumiWorkspace(bin, stackDir, { FCP_POLL_INTERVAL_MS: "200" });
  await cli.initStack("gitops", emulator, { numInstances: "2" });
  await cli.ok(["up", "--yes", "--skip-preview"]);
});

afterAll(async () => {
  if (cli) await cli.removeStack("gitops");
  await closeSharedFcpClients();
  await emulator?.close();
  cli?.dispose();
  rmSync(work, { recursive: true, force: true });
});

test("a pull request 2 → 4 nodes: the count diff is found, the preview is blocked, the comment says why", async () => {
  // A pull request in a repository of its own: the base branch sets 2 nodes, the head sets 4.
  const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=ci", "-c", "user.email=ci@example.invalid", ...args], { cwd: work });
  git("init", "-q", "-b", "main");
  writeFileSync(path.join(work, "Pulumi.prod.yaml"), 'config:\n  training-cluster:numInstances: "2"\n');
  git("add", ".");
  git("commit", "-qm", "base");
  git("update-ref", "refs/remotes/origin/main", "HEAD");
  writeFileSync(path.join(work, "Pulumi.prod.yaml"), 'config:\n  training-cluster:numInstances: "4"\n');
  git("commit", "-qam", "four nodes");
  const outputs = path.join(work, "github-output");
  const counts = await cli.bash(step("Find instance-count changes"), work, { GITHUB_OUTPUT: outputs });
  expect(counts.status).toBe(0);
  expect(readFileSync(path.join(work, "counts.txt"), "utf8")).toMatch(/^-.*numInstances: "2"\n\+.*numInstances: "4"\n$/);
  expect(readFileSync(outputs, "utf8")).toBe("changed=true\n");

  // The state before the change, exported the way the workflow does.
  const exported = await cli.bash(step("Export the stack's state before the change"), stackDir, { STACK: "gitops", RUNNER_TEMP: work });
  expect(exported.status).toBe(0);
  await cli.ok(["config", "set", "numInstances", "4"]);
  const env = {
    RUNNER_TEMP: work,
    STACK: "gitops",
    POLICY_PACK: path.join(REPO_ROOT, workflow.env.POLICY_PACK),
    POLICY_CONFIG: path.join(REPO_ROOT, workflow.env.POLICY_CONFIG),
  };
  const preview = await cli.bash(step("pulumi preview with fcp-guardrails"), stackDir, env);
  expect(preview.status).not.toBe(0);
  expect(preview.stdout).toMatch(/max-stack-hourly-spend/);
  expect(preview.stdout).toMatch(/\$120\.00/);
  // The step tees its output into preview.txt where it ran; the comment step reads it from its own cwd.
  renameSync(path.join(stackDir, "preview.txt"), path.join(work, "preview.txt"));

  // The comment step without its last line, which posts with the GitHub CLI.
  const comment = step("Comment the verdict on the pull request").replace(/\n\s*gh pr comment[^\n]*\n?$/, "\n");
  expect(comment).not.toMatch(/gh pr comment/);
  const summary = path.join(work, "step-summary");
  const posted = await cli.bash(comment, work, { OUTCOME: "failure", GITHUB_STEP_SUMMARY: summary });
  expect(posted.status).toBe(0);
  const body = readFileSync(path.join(work, "comment.md"), "utf8");
  expect(body).toMatch(/^### fcp-guardrails: blocked/);
  expect(body).toMatch(/This pull request changes instance counts:\n```diff\n-.*"2"\n\+.*"4"\n```/);
  expect(body).toMatch(/max-stack-hourly-spend/);
  expect(body).toContain("**Worst-case hourly spend: $60.00/h → $120.00/h (+$60.00/h).**");
  expect(readFileSync(summary, "utf8")).toBe(body);
});
