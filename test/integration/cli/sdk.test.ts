// The imperative SDK against the emulator with booting instances: Flow().run(config) → handle,
// wait, logs as an async iterator over SSH, ssh, found again by name from a second Flow, cancel.
import { mkdtempSync, promises as fs, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../../src/emulator";
import { Flow } from "../../../src/sdk";

jest.setTimeout(180_000);

let emu: RunningEmulator;
let home: string;
const flows: Flow[] = [];
const newFlow = () => {
  const f = new Flow({ apiUrl: emu.url, apiKey: emu.apiKey, project: "my-project", region: "us-central1-b", homeDir: home, env: {} });
  flows.push(f);
  return f;
};

beforeAll(async () => {
  emu = await startEmulator({ seed: 4242, provisionSeconds: 0, instances: "sandbox" });
  home = mkdtempSync(path.join(tmpdir(), "flow-sdk-home-"));
});
afterAll(async () => {
  for (const f of flows) await f.close();
  await emu?.close();
  await fs.rm(home, { recursive: true, force: true });
});

test("run → wait → logs → ssh → completed; a second Flow finds it by name; the key stays private", async () => {
  const flow = newFlow();
  const task = await flow.run({
    name: "sdk-demo",
    instance_type: "a100",
    max_price_per_hour: 11,
    upload_code: false,
    env: { WHO: "sdk" },
    shell: "echo hi-$WHO; until [ -e /workspace/done ]; do sleep 0.2; done; echo finished",
  });
  expect(task.id).toMatch(/^bid_/);
  expect(task.hourlyCost).toBe("$11.00");
  expect(await task.wait({ until: "running", timeout: 120 })).toBe("running");
  expect(task.instances).toHaveLength(1);
  expect(task.instances[0].sshHost).toMatch(/^127\.0\./);

  // The private key: one 0600 file in a 0700 directory, named by the FCP key id.
  const keyDir = path.join(home, ".flow", "keys");
  expect(statSync(keyDir).mode & 0o777).toBe(0o700);
  const [keyFile] = readdirSync(keyDir);
  expect(task.bid.sshKeys).toEqual([keyFile]);
  expect(statSync(path.join(keyDir, keyFile)).mode & 0o777).toBe(0o600);
  expect(JSON.stringify(task.toJSON())).not.toContain("PRIVATE KEY");

  const again = await newFlow().get("sdk-demo");
  expect(again.id).toBe(task.id);
  expect(again.status).toBe("running");
  expect(await again.ssh({ command: "echo $((1+1)); exit 9" })).toEqual({ exitCode: 9, stdout: "2\n", stderr: "" });

  const lines: string[] = [];
  const follow = (async () => {
    for await (const line of task.logs({ follow: true })) {
      lines.push(line);
      if (line === "hi-sdk") await task.ssh({ command: "touch /workspace/done" });
    }
  })();
  await follow;
  expect(lines).toEqual(["hi-sdk", "finished"]);
  expect(await task.wait({ until: "completed", timeout: 60 })).toBe("completed");
  const listed = await flow.list();
  expect(listed.find((t) => t.id === task.id)?.status).toBe("completed");
  const all: string[] = [];
  for await (const line of task.logs({ tail: 1 })) all.push(line);
  expect(all).toEqual(["finished"]);
});

test("cancel ends a running task; waiting past a deadline is a TaskTimeoutError; unknown names list near ones", async () => {
  const flow = newFlow();
  const task = await flow.run({ name: "sdk-cancel", instanceType: "a100", maxPricePerHour: 11, uploadCode: false, shell: "sleep infinity" });
  await task.wait({ until: "running", timeout: 120 });
  await expect(task.wait({ until: "completed", timeout: 0, pollIntervalMs: 10 })).rejects.toMatchObject({ name: "TaskTimeoutError", errorCode: "TIMEOUT" });
  expect(await task.cancel()).toBe(true);
  expect(task.status).toBe("cancelled");
  expect((await flow.get(task.id)).status).toBe("cancelled");
  await expect(flow.get("sdk-cancle")).rejects.toMatchObject({ name: "BidNotFoundError", suggestions: expect.arrayContaining(["Did you mean sdk-cancel?"]) });
});

test("a second run under an active name is refused before anything is created", async () => {
  const flow = newFlow();
  const task = await flow.run({ name: "sdk-dup", instanceType: "a100", maxPricePerHour: 11, uploadCode: false, shell: "sleep infinity" });
  const keysBefore = (await flow.client.listSshKeys()).length;
  await expect(flow.run({ name: "sdk-dup", instanceType: "a100", maxPricePerHour: 11, uploadCode: false, shell: "true" })).rejects.toThrow(/already active/);
  expect((await flow.client.listSshKeys()).length).toBe(keysBefore);
  await task.cancel();
});

test("a task whose env holds the API key is refused, and what it created for it is removed", async () => {
  const flow = newFlow();
  const keysBefore = (await flow.client.listSshKeys()).map((k) => k.fid);
  const bidsBefore = (await flow.client.listBids()).length;
  const err = await flow.run({ name: "sdk-leak", instanceType: "a100", maxPricePerHour: 11, uploadCode: false, env: { TOKEN: emu.apiKey }, shell: "true" }).catch((e: Error) => e);
  expect(err).toMatchObject({ name: "SecretInScriptError" });
  expect(String((err as Error).message)).not.toContain(emu.apiKey);
  expect((await flow.client.listSshKeys()).map((k) => k.fid)).toEqual(keysBefore);
  expect((await flow.client.listBids()).length).toBe(bidsBefore);
  expect(readdirSync(path.join(home, ".flow", "keys")).filter((f) => !keysBefore.includes(f))).toEqual([]);
});
