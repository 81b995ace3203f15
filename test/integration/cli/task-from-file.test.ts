// A stack deploys a Task from a YAML task file (Task.fromFile), and the `flow` command, in another
// process, finds it by name: the platform team's Pulumi, the ML engineer's shell.
import { chmodSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { Task } from "../../../src/resources/task";
import { fcpStack, type FcpStack } from "../../fixtures/resources/fcp-stack";
import { flow, flowEnv } from "./cli-harness";

jest.setTimeout(240_000);

let s: FcpStack;
beforeAll(async () => {
  s = await fcpStack({ emulator: { instances: "sandbox", provisionSeconds: 0 } });
});
afterAll(() => s?.close());

test("Task.fromFile deploys the file's task; flow finds it by its task name (status; logs and ssh with --identity), and sees it cancelled after destroy", async () => {
  const file = path.join(s.dir, "task.yaml");
  writeFileSync(file, `name: from-file
instance_type: a100
max_price_per_hour: 7
region: us-central1-a
upload_code: false
env: {MODE: stack}
shell: echo "mode=$MODE"; sleep infinity
`);
  const result = await s.engine.up(async () => {
    const task = Task.fromFile(file, { waitFor: "running" });
    return { status: task.status, hourlyCost: task.hourlyCost, bidId: task.bidId, privateKey: task.privateKey };
  });
  expect(result.outputs.status.value).toBe("running");
  expect(result.outputs.hourlyCost.value).toBe("$7.00");

  const env = flowEnv(s.emulator, s.dir, { FCP_REGION: "us-central1-a" });
  const status = await flow(["status", "from-file", "--json"], env);
  expect(status.code).toBe(0);
  // No private key of the stack's on this machine: the status comes from the bid and its instances.
  expect(JSON.parse(status.out)).toMatchObject({ id: result.outputs.bidId.value, name: expect.stringMatching(/^from-file-bid-[0-9a-f]{8}$/), status: "running", hourlyCost: "$7.00" });
  const ssh = await flow(["ssh", "from-file", "--", "true"], env);
  expect(ssh.code).toBe(2);
  expect(ssh.err).toMatch(/No private key for task from-file-bid-\w+ is stored here/);
  expect(ssh.err).toMatch(/--identity FILE/);

  // With the stack's secret privateKey output in a 0600 file, logs and ssh reach the node.
  const keyFile = path.join(s.dir, "from-file.key");
  expect(result.outputs.privateKey.secret).toBe(true);
  writeFileSync(keyFile, result.outputs.privateKey.value as string, { mode: 0o644 });
  const loose = await flow(["logs", "from-file", "--identity", keyFile], env);
  expect(loose.code).toBe(2);
  expect(loose.err).toMatch(/chmod 600/);
  chmodSync(keyFile, 0o600);
  const logs = await flow(["logs", "from-file", "--identity", keyFile], env);
  expect(logs).toMatchObject({ code: 0, out: "mode=stack\n" });
  expect((await flow(["ssh", "from-file", "--identity", keyFile, "--", "exit 5"], env)).code).toBe(5);

  // A bad file fails the program with the file's positions, before anything is created.
  writeFileSync(file, "name: from-file\ninstance_type: a100\nmax_price: 7\nshell: x\n");
  await expect(s.engine.preview(async () => ({ id: Task.fromFile(file).bidId }))).rejects.toThrow(/task\.yaml:3:1: max_price: /);
  await s.engine.destroy();
  expect(JSON.parse((await flow(["status", "from-file", "--json"], env)).out).status).toBe("cancelled");
});
