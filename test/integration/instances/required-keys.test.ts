// The live service's required SSH keys get into every instance of the project, also a key made
// required after the bid was placed: OpenSSH against a mithril-dialect emulator.
import { execFile } from "node:child_process";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../../src/emulator";
import { A100, call } from "../emulator/helpers";
import { validPair } from "../../fixtures/ssh-key-pair";

jest.setTimeout(120_000);

let emu: RunningEmulator;
let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "fcp-required-keys-"));
  emu = await startEmulator({ seed: 31, provisionSeconds: 0, instances: "sandbox", dialect: "mithril" });
});
afterAll(async () => {
  await emu?.close();
  await fs.rm(dir, { recursive: true, force: true });
});

async function key(name: string, required = false): Promise<{ fid: string; file: string }> {
  const pair = validPair(name);
  const file = path.join(dir, name);
  await fs.writeFile(file, pair.private, { mode: 0o600 });
  const res = await call(emu, "POST", "/v2/ssh-keys", { project: emu.projectFid, name, public_key: pair.public, required });
  expect(res.status).toBe(201);
  return { fid: res.body.fid as string, file };
}

function ssh(dest: string, file: string): Promise<{ code: number | null; out: string }> {
  const [host, port] = dest.split(":");
  return new Promise((resolve) => {
    execFile("ssh", ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "-i", file, "-p", port, `ubuntu@${host}`, "echo in"], { timeout: 60_000 }, (e, out) =>
      resolve({ code: e ? ((e as { code?: number }).code ?? null) : 0, out }),
    );
  });
}

test("a required key and a key made required later both get in; an unrelated key does not", async () => {
  const own = await key("own");
  const team = await key("team", true);
  const bid = await call(emu, "POST", "/v2/spot/bids", {
    project: emu.projectFid, region: "us-central1-a", instance_type: A100, limit_price: "$3.00", instance_quantity: 1, name: "req",
    launch_specification: { ssh_keys: [own.fid, team.fid], volumes: [], startup_script: "#!/bin/bash\necho hi\n" },
  });
  expect(bid.status).toBe(201);
  const later = await key("later");
  const stranger = await key("stranger");
  let dest: string | undefined;
  const deadline = Date.now() + 60_000;
  while (!dest) {
    const s = await emu.admin.state();
    const inst = s.instances.find((i) => i.bid === bid.body.fid && "boot" in i && i.boot?.state === "booted");
    dest = inst?.ssh_destination ?? undefined;
    if (Date.now() > deadline) throw new Error("the instance never booted");
    // Each round is one admin read; yield to the I/O that boots the instance.
    await new Promise((r) => setImmediate(r));
  }
  expect((await ssh(dest, own.file)).out).toBe("in\n");
  expect((await ssh(dest, team.file)).out).toBe("in\n");
  expect((await ssh(dest, later.file)).code).toBe(255);
  expect((await call(emu, "PATCH", `/v2/ssh-keys/${later.fid}`, { required: true })).status).toBe(200);
  expect((await ssh(dest, later.file)).out).toBe("in\n");
  expect((await ssh(dest, stranger.file)).code).toBe(255);
});
