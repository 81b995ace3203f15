// The SSH session helper against a booted emulated instance (a real ssh2 server in a sandbox):
// exec, an SFTP upload checked by sha256 on the host, a changed host key refused at once, and an
// unreachable host reported with its name, the attempts and the last reason.
import { createHash, randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { startEmulator, type RunningEmulator } from "../../../src/emulator";
import { HostKeyChangedError, openSshSession, SshSession, SshUnreachableError, type SshTarget } from "../../../src/ssh/ssh-session";
import { bidBody, call } from "../emulator/helpers";
import { validPair } from "../../fixtures/ssh-key-pair";

jest.setTimeout(180_000);

interface Booted {
  fid: string;
  bid: string;
  ssh_destination: string | null;
  boot?: { state: string; ssh_host_key_fingerprint: string };
}

let emu: RunningEmulator;
let target: SshTarget;
let fingerprint: string;

beforeAll(async () => {
  emu = await startEmulator({ seed: 3, provisionSeconds: 0, instances: "sandbox" });
  const pair = validPair("session");
  const key = await call(emu, "POST", "/v2/ssh-keys", { project: emu.projectFid, name: "session", public_key: pair.public });
  const bid = await call(emu, "POST", "/v2/spot/bids", bidBody(emu, { ssh_keys: [key.body.fid], name: "session" }));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const instances = (await emu.admin.state()).instances as unknown as Booted[];
    const inst = instances.find((i) => i.bid === bid.body.fid && i.boot?.state === "booted" && i.ssh_destination);
    if (inst?.ssh_destination && inst.boot) {
      const [host, port] = inst.ssh_destination.split(":");
      target = { host, port: Number(port), username: "ubuntu", privateKey: pair.private, label: `instance ${inst.fid} (${inst.ssh_destination})` };
      fingerprint = inst.boot.ssh_host_key_fingerprint;
      break;
    }
    if (Date.now() > deadline) throw new Error("the instance did not boot");
    await new Promise((r) => setImmediate(r));
  }
});
afterAll(() => emu?.close());

test("exec returns exit code, stdout and stderr; the host key seen is the instance's", async () => {
  const session = await SshSession.connect(target, {});
  try {
    expect(session.hostKey).toBe(fingerprint);
    expect(await session.exec("echo out; echo err >&2; exit 4")).toEqual({ code: 4, stdout: "out\n", stderr: "err\n" });
    expect(await session.exec("cat", "from stdin")).toMatchObject({ code: 0, stdout: "from stdin" });
    await expect(session.run("Listing nothing", "ls /nonexistent")).rejects.toThrow(/Listing nothing failed on instance .* \(exit 2\): .*No such file/);
  } finally {
    session.close();
  }
});

test("putVerified uploads 3 MB byte for byte and checks the digest on the host", async () => {
  const bytes = randomBytes(3 * 1024 * 1024);
  const session = await SshSession.connect(target, { expected: fingerprint });
  try {
    await session.putVerified("/tmp/blob.bin", bytes);
    const remote = (await session.run("hash", "sha256sum /tmp/blob.bin; stat -c %a /tmp/blob.bin")).split(/\s+/);
    expect(remote[0]).toBe(createHash("sha256").update(bytes).digest("hex"));
    expect(remote[2]).toBe("600");
  } finally {
    session.close();
  }
});

test("a host key other than the pinned one is refused at once, naming the host and both keys", async () => {
  const started = Date.now();
  const err = await openSshSession(target, { expected: "SHA256:not-this-one" }, { deadlineMs: 60_000 }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(HostKeyChangedError);
  expect((err as Error).message).toBe(`The SSH host key of ${target.label} changed: pinned SHA256:not-this-one, now ${fingerprint}. Nothing was sent to it.`);
  expect(Date.now() - started).toBeLessThan(30_000);
});

test("an address nobody listens on is retried until the deadline, then named with the attempts and the reason", async () => {
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const retries: string[] = [];
  const err = await openSshSession({ ...target, host: "127.0.0.1", port, label: `instance inst_gone (127.0.0.1:${port})` }, {}, {
    deadlineMs: 2_000,
    initialDelayMs: 100,
    onRetry: (attempt, reason) => retries.push(`${attempt}: ${reason}`),
  }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(SshUnreachableError);
  expect((err as Error).message).toMatch(new RegExp(`^Could not open an SSH session to instance inst_gone \\(127\\.0\\.0\\.1:${port}\\): \\d+ attempts in \\d+ s, the last failed with: connection refused\\.$`));
  expect(retries[0]).toBe("1: connection refused");
  expect((err as Error).message).not.toContain("PRIVATE KEY");
});
