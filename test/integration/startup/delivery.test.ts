// What the cluster bootstrap delivers, as the script sees it: a code package and a secret env file
// placed in /var/lib/flow (here written before the run, as the bootstrap would), a bounded wait
// when they do not come, and a delivered package that is not the one the script expects.
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { buildStartupScript, packageCode, parseStartupStatus, shellQuote, type StartupSpec } from "../../../src/startup";
import { PROBE, readProbe, removeSandbox, runInSandbox, type SandboxOptions, type SandboxResult } from "./sandbox";

const sandboxes: string[] = [];
let codeDir: string;
afterAll(async () => {
  for (const root of sandboxes) await removeSandbox(root);
  rmSync(codeDir, { recursive: true, force: true });
});

async function run(spec: StartupSpec, options: SandboxOptions = {}): Promise<SandboxResult> {
  const result = await runInSandbox(buildStartupScript(spec).script, options);
  sandboxes.push(result.root);
  return result;
}
const status = (r: SandboxResult) => parseStartupStatus(r.readText("/var/lib/flow/status.json"));
const SECRET = "hf_s3cr3t value with 'quotes' and $(no expansion)";
const secretFile = `HF_TOKEN=${shellQuote(SECRET)}\n`;

async function delivered() {
  codeDir = mkdtempSync(path.join(tmpdir(), "delivery-code-"));
  writeFileSync(path.join(codeDir, "train.py"), "print('hi')\n");
  const code = await packageCode(codeDir);
  const bytes = Buffer.from(code.bytes);
  return { sha256: code.sha256, files: { "/var/lib/flow/code.tgz": bytes, "/var/lib/flow/code.tgz.sha256": `${code.sha256}  /var/lib/flow/code.tgz\n` } };
}

test("delivered code is checked and extracted, and the secret env reaches the task only", async () => {
  const code = await delivered();
  const r = await run(
    { taskName: "deliv", env: { PLAIN: "1" }, delivery: { codeSha256: code.sha256, secretEnvNames: ["HF_TOKEN"], waitSeconds: 10 }, run: { command: [PROBE], gpus: false } },
    { files: { ...code.files, "/var/lib/flow/secret.env": secretFile } },
  );
  expect(r.exitCode).toBe(0);
  expect(status(r)).toMatchObject({ status: "succeeded" });
  const probe = readProbe(r)!;
  expect(probe.env.get("HF_TOKEN")).toBe(SECRET);
  expect(probe.env.get("PLAIN")).toBe("1");
  expect(r.readText("/workspace/train.py")).toBe("print('hi')\n");
  expect(r.readText("/var/log/flow/startup.log")).not.toContain("s3cr3t");
  expect(r.readText("/var/log/flow/startup.log")).toContain("== delivery");
});

test("a secret file that never arrives fails step delivery within the bounded wait, naming the file", async () => {
  const r = await run({ taskName: "late", delivery: { secretEnvNames: ["HF_TOKEN"], waitSeconds: 4 }, run: { command: [PROBE], gpus: false } });
  expect(r.exitCode).toBe(1);
  expect(status(r)).toMatchObject({ status: "failed", step: "delivery" });
  expect(r.readText("/var/log/flow/startup.log")).toContain("/var/lib/flow/secret.env was not delivered within 4 s");
  expect(readProbe(r)).toBeUndefined();
});

test("a delivered package that is not the expected one is refused before anything is extracted", async () => {
  const code = await delivered();
  const other = createHash("sha256").update("something else").digest("hex");
  const r = await run({ taskName: "wrong", delivery: { codeSha256: other }, run: { command: [PROBE], gpus: false } }, { files: code.files });
  expect(r.exitCode).not.toBe(0);
  expect(status(r)).toMatchObject({ status: "failed", step: "code" });
  expect(r.exists("/workspace/train.py")).toBe(false);
  expect(readProbe(r)).toBeUndefined();
});
