// Booting instances, proved with real peers: the Debian OpenSSH client (ssh, scp, sftp) and
// ssh2's client against each instance's own SSH server, startup scripts built by
// buildStartupScript, and /proc for the processes.
import { execFile, spawn } from "node:child_process";
import { Agent, request } from "undici";
import { existsSync, promises as fs, readlinkSync, readdirSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Client } from "ssh2";
import { startEmulator, type RunningEmulator } from "../../../src/emulator";
import { buildStartupScript, packageCode } from "../../../src/startup";
import { A100, bidBody, call } from "../emulator/helpers";
import { validPair } from "../../fixtures/ssh-key-pair";

jest.setTimeout(120_000);

interface Run { code: number | null; out: string; err: string }
function run(cmd: string, args: string[], input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { timeout: 60_000 }, (e, out, err) => resolve({ code: e ? ((e as { code?: number }).code ?? null) : 0, out, err }));
    if (input !== undefined) child.stdin?.end(input);
  });
}

let dir: string;
const keys: Array<{ file: string; fid: string; private: string }> = [];
const OPTS = ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR"];

async function newKey(emu: RunningEmulator, name: string) {
  const pair = validPair(name);
  const file = path.join(dir, name);
  await fs.writeFile(file, pair.private, { mode: 0o600 });
  const res = await call(emu, "POST", "/v2/ssh-keys", { project: emu.projectFid, name, public_key: pair.public });
  expect(res.status).toBe(201);
  const key = { file, fid: res.body.fid as string, private: pair.private };
  keys.push(key);
  return key;
}

/** Polls the admin API (no sleeps: each round is a request) until `pick` returns something. */
async function until<T>(emu: RunningEmulator, pick: (state: any) => T | undefined, what: string): Promise<T> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const deadline = Date.now() + 60_000;
  for (;;) {
    const found = pick(await emu.admin.state());
    if (found !== undefined && found !== false) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify((await emu.admin.state()).instances.map((i: any) => i.boot))}`); // eslint-disable-line @typescript-eslint/no-explicit-any
    await new Promise((r) => setImmediate(r));
  }
}

async function bootBid(emu: RunningEmulator, overrides: Record<string, unknown>, finished = true) {
  const res = await call(emu, "POST", "/v2/spot/bids", bidBody(emu, overrides));
  expect(res.status).toBe(201);
  const bid = res.body.fid as string;
  const instances = await until(emu, (s) => {
    const list = s.instances.filter((i: any) => i.bid === bid); // eslint-disable-line @typescript-eslint/no-explicit-any
    const ok = list.length > 0 && list.every((i: any) => i.ssh_destination && i.boot?.state === "booted" && (!finished || i.boot.startup_exit_code !== null)); // eslint-disable-line @typescript-eslint/no-explicit-any
    return ok ? list : undefined;
  }, `bid ${bid} to boot`);
  return { bid, instances: instances as Array<{ fid: string; ssh_destination: string; private_ip: string; boot: { host_pid: number; startup_exit_code: number; startup_log_tail: string; ssh_host_key_fingerprint: string } }> };
}

function ssh(dest: string, keyFile: string, command: string, user = "ubuntu", extra: string[] = []): Promise<Run> {
  const [host, port] = dest.split(":");
  return run("ssh", [...OPTS, ...extra, "-i", keyFile, "-p", port, `${user}@${host}`, command]);
}

function pidNamespaceMembers(ns: string): number[] {
  return readdirSync("/proc").filter((p) => /^\d+$/.test(p)).filter((p) => {
    try { return readlinkSync(`/proc/${p}/ns/pid`) === ns; } catch { return false; }
  }).map(Number);
}

let emu: RunningEmulator;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "fcp-instances-test-"));
  emu = await startEmulator({ seed: 77, provisionSeconds: 0, instances: "sandbox" });
  expect(emu.instances.mode).toBe("sandbox");
});
afterAll(async () => {
  await emu?.close();
  await fs.rm(dir, { recursive: true, force: true });
});

test("OpenSSH: the bid's key gets in, exit codes and stderr come back, another bid's key and passwords are refused", async () => {
  const mine = await newKey(emu, "mine");
  const other = await newKey(emu, "other");
  const { instances: [inst] } = await bootBid(emu, { ssh_keys: [mine.fid], name: "ssh-a" });
  await bootBid(emu, { ssh_keys: [other.fid], name: "ssh-b" });
  expect(inst.private_ip).toMatch(/^127\.0\.\d+\.\d+$/);
  expect(inst.ssh_destination.startsWith(`${inst.private_ip}:`)).toBe(true);
  expect(inst.boot.ssh_host_key_fingerprint).toMatch(/^SHA256:/);

  const r = await ssh(inst.ssh_destination, mine.file, "echo $((6*7)); echo oops >&2; exit 3");
  expect(r).toEqual({ code: 3, out: "42\n", err: "oops\n" });
  expect((await ssh(inst.ssh_destination, mine.file, "whoami >/dev/null; echo $HOME", "root")).out).toBe("/root\n");
  const refused = await ssh(inst.ssh_destination, other.file, "true");
  expect(refused.code).toBe(255);
  expect(refused.err).toMatch(/Permission denied \(publickey\)/);
  const password = await run("ssh", ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "PreferredAuthentications=password", "-o", "NumberOfPasswordPrompts=0", "-p", inst.ssh_destination.split(":")[1], `ubuntu@${inst.private_ip}`, "true"]);
  expect(password.code).toBe(255);
  expect((await ssh(inst.ssh_destination, mine.file, "true", "admin")).code).toBe(255);

  // The host key's fingerprint is what the admin API shows.
  const scan = await run("ssh-keyscan", ["-t", "ed25519", "-p", inst.ssh_destination.split(":")[1], inst.private_ip]);
  const keygen = await run("ssh-keygen", ["-lf", "-"], scan.out);
  expect(keygen.out).toContain(inst.boot.ssh_host_key_fingerprint);
});

test("ssh2 client: exec with exit code and separate stderr; a wrong key is refused", async () => {
  const key = await newKey(emu, "ssh2");
  const { instances: [inst] } = await bootBid(emu, { ssh_keys: [key.fid], name: "ssh2" });
  const [host, port] = inst.ssh_destination.split(":");
  const connect = (privateKey: string) => new Promise<Client>((resolve, reject) => {
    const c = new Client();
    c.on("ready", () => resolve(c)).on("error", reject).connect({ host, port: Number(port), username: "ubuntu", privateKey });
  });
  const client = await connect(key.private);
  const result = await new Promise<{ code: number; out: string; err: string }>((resolve, reject) => {
    client.exec("cat /etc/os-release >/dev/null; echo out; echo err >&2; exit 5", (e, ch) => {
      if (e) return reject(e);
      let out = ""; let err = ""; let code = -1;
      ch.on("data", (d: Buffer) => (out += d)).stderr.on("data", (d: Buffer) => (err += d));
      ch.on("exit", (c: number) => (code = c)).on("close", () => resolve({ code, out, err }));
    });
  });
  client.end();
  expect(result).toEqual({ code: 5, out: "out\n", err: "err\n" });
  await expect(connect(validPair("stranger").private)).rejects.toThrow(/authentication methods failed/);
});

test("ssh2 client: a pty's window-change resizes the session's terminal", async () => {
  const key = await newKey(emu, "resize");
  const { instances: [inst] } = await bootBid(emu, { ssh_keys: [key.fid], name: "resize" });
  const [host, port] = inst.ssh_destination.split(":");
  const client = await new Promise<Client>((resolve, reject) => {
    const c = new Client();
    c.on("ready", () => resolve(c)).on("error", reject).connect({ host, port: Number(port), username: "ubuntu", privateKey: key.private });
  });
  // The remote side reports its first size, then waits (bounded) until the terminal has the new one.
  const command = 'echo "size $(stty size)"; for _ in $(seq 600); do [ "$(stty size)" = "40 100" ] && { echo "resized $(stty size)"; exit 0; }; sleep 0.05; done; exit 9';
  const result = await new Promise<{ code: number; out: string }>((resolve, reject) => {
    client.exec(command, { pty: { rows: 24, cols: 80, term: "xterm" } }, (e, ch) => {
      if (e) return reject(e);
      let out = ""; let code = -1; let resized = false;
      ch.on("data", (d: Buffer) => {
        out += d.toString();
        if (!resized && /size 24 80/.test(out)) {
          resized = true;
          ch.setWindow(40, 100, 0, 0);
        }
      });
      ch.on("exit", (c: number) => (code = c)).on("close", () => resolve({ code, out }));
    });
  });
  client.end();
  expect(result.out).toMatch(/size 24 80/);
  expect(result.out).toMatch(/resized 40 100/);
  expect(result.code).toBe(0);
});

test("scp and sftp: uploads arrive byte for byte; mkdir, rename, stat, readdir, setstat, remove work; a pty shell works; ssh -L forwards", async () => {
  const key = await newKey(emu, "files");
  const { instances: [inst] } = await bootBid(emu, { ssh_keys: [key.fid], name: "files" });
  const [host, port] = inst.ssh_destination.split(":");
  const payload = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 256));
  await fs.writeFile(path.join(dir, "up.bin"), payload);
  const scp = await run("scp", [...OPTS, "-i", key.file, "-P", port, path.join(dir, "up.bin"), `ubuntu@${host}:/workspace/up.bin`]);
  expect(scp.code).toBe(0);
  expect((await ssh(inst.ssh_destination, key.file, "sha256sum </workspace/up.bin")).out.split(" ")[0]).toBe(require("node:crypto").createHash("sha256").update(payload).digest("hex"));
  const batch = ["mkdir /workspace/d", `put ${path.join(dir, "up.bin")} /workspace/d/x`, "rename /workspace/d/x /workspace/d/y", "chmod 640 /workspace/d/y", "ls -l /workspace/d", `get /workspace/d/y ${path.join(dir, "down.bin")}`, "rm /workspace/d/y", "rmdir /workspace/d"].join("\n");
  await fs.writeFile(path.join(dir, "batch"), batch);
  const sftp = await run("sftp", [...OPTS, "-i", key.file, "-P", port, "-b", path.join(dir, "batch"), `ubuntu@${host}`]);
  expect(sftp.code).toBe(0);
  expect(sftp.out).toMatch(/-rw-r-----.*300000.*\/workspace\/d\/y/);
  expect((await fs.readFile(path.join(dir, "down.bin"))).equals(payload)).toBe(true);
  expect((await ssh(inst.ssh_destination, key.file, "ls /workspace/d 2>&1; true")).out).toMatch(/No such file/);
  // Nothing of it reached the host's own /workspace.
  expect(existsSync("/workspace/up.bin")).toBe(false);

  const pty = await ssh(inst.ssh_destination, key.file, "tty; exit 4", "ubuntu", ["-tt"]);
  expect(pty.code).toBe(4);
  expect(pty.out).toMatch(/\/dev\/pts\/\d+/);
  const shell = await run("ssh", [...OPTS, "-tt", "-i", key.file, "-p", port, `ubuntu@${host}`], "echo shell-$((1+1))\nexit 6\n");
  expect(shell.code).toBe(6);
  expect(shell.out).toContain("shell-2");

  // ssh -L to a loopback service (the emulator's own HTTP port), here onto a local socket file.
  const emuPort = new URL(emu.url).port;
  const sock = path.join(dir, "forward.sock");
  const forward = spawn("ssh", [...OPTS, "-i", key.file, "-p", port, "-o", "ExitOnForwardFailure=yes", "-N", "-L", `${sock}:127.0.0.1:${emuPort}`, `ubuntu@${host}`], { stdio: "ignore" });
  try {
    const deadline = Date.now() + 30_000;
    while (!existsSync(sock) && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    const res = await request("http://emulator/_emulator/state", { dispatcher: new Agent({ connect: { socketPath: sock } }) });
    expect(res.statusCode).toBe(200);
    expect(((await res.body.json()) as { seed: number }).seed).toBe(77);
  } finally {
    forward.kill();
  }
});

test("a task runs: status.json says succeeded, env and code are as deployed, nvidia-smi shows the type's GPUs", async () => {
  const key = await newKey(emu, "task");
  const codeDir = path.join(dir, "code");
  await fs.mkdir(codeDir, { recursive: true });
  await fs.writeFile(path.join(codeDir, "train.sh"), "#!/bin/bash\necho \"trained with $LR\" > /workspace/out.txt\n", { mode: 0o755 });
  const code = await packageCode(codeDir);
  const { script } = buildStartupScript({ taskName: "t1", env: { LR: "0.1 $(not run)" }, code, run: { command: ["bash", "train.sh"], gpus: false } });
  const { instances: [inst] } = await bootBid(emu, { ssh_keys: [key.fid], name: "task", startup_script: script });
  expect(inst.boot.startup_exit_code).toBe(0);
  const status = JSON.parse((await ssh(inst.ssh_destination, key.file, "cat /var/lib/flow/status.json")).out);
  expect(status).toMatchObject({ task: "t1", status: "succeeded", exit_code: 0 });
  expect((await ssh(inst.ssh_destination, key.file, "cat /workspace/out.txt; cat /workspace/train.sh | head -1")).out).toBe("trained with 0.1 $(not run)\n#!/bin/bash\n");
  expect((await ssh(inst.ssh_destination, key.file, "test -s /var/log/foundry/startup_script.log && echo logged")).out).toBe("logged\n");
  expect((await ssh(inst.ssh_destination, key.file, "nvidia-smi -L")).out).toContain("GPU 0: NVIDIA A100");
});

test("a file volume written by one bid is read by the next; cancel kills every process of the instance", async () => {
  const key = await newKey(emu, "vol");
  const vol = await call(emu, "POST", "/v2/volumes", { project: emu.projectFid, region: "us-central1-a", name: "shared", size_gb: 10, interface: "file" });
  expect(vol.status).toBe(201);
  const volumes = [{ interface: "file" as const, volumeId: vol.body.fid, mountPath: "/data" }];
  const write = buildStartupScript({ taskName: "w", volumes, run: { command: ["bash", "-c", "echo from-first-bid > /data/note; sleep 1000 & sleep 1001"], gpus: false } }).script;
  const first = await bootBid(emu, { ssh_keys: [key.fid], name: "vol-1", startup_script: write, volumes: [vol.body.fid] }, false);
  const [inst] = first.instances;
  expect((await ssh(inst.ssh_destination, key.file, "for i in $(seq 600); do [ -s /data/note ] && break; sleep 0.1; done; cat /data/note")).out).toBe("from-first-bid\n");
  const ns = readlinkSync(`/proc/${inst.boot.host_pid}/ns/pid`);
  expect(pidNamespaceMembers(ns).length).toBeGreaterThanOrEqual(3);

  expect((await call(emu, "DELETE", `/v2/spot/bids/${first.bid}`)).status).toBe(204);
  await emu.instances.fleet!.settled();
  expect(pidNamespaceMembers(ns)).toEqual([]);
  expect((await ssh(inst.ssh_destination, key.file, "true")).code).toBe(255);

  const read = buildStartupScript({ taskName: "r", volumes, run: { command: ["cat", "/data/note"], gpus: false } }).script;
  const second = await bootBid(emu, { ssh_keys: [key.fid], name: "vol-2", startup_script: read, volumes: [vol.body.fid] });
  expect(second.instances[0].boot.startup_exit_code).toBe(0);
  expect((await ssh(second.instances[0].ssh_destination, key.file, "cat /var/log/flow/task.log")).out).toContain("from-first-bid");
});

test("a max-run-time poweroff stops the instance at emulator time; two instances reach each other on their private addresses", async () => {
  const key = await newKey(emu, "limits");
  const script = buildStartupScript({ taskName: "lim", maxRunTimeHours: 1, run: { command: ["sleep", "100000"], gpus: false } }).script;
  const { bid, instances } = await bootBid(emu, { ssh_keys: [key.fid], name: "lim", startup_script: script, instance_quantity: 2 }, false);
  const [a, b] = instances;
  const reach = await ssh(a.ssh_destination, key.file, `exec 3<>/dev/tcp/${b.private_ip}/${b.ssh_destination.split(":")[1]}; head -c 7 <&3`);
  expect(reach.out).toBe("SSH-2.0");
  await until(emu, (s) => s.instances.filter((i: any) => i.bid === bid).every((i: any) => i.boot?.power_off_at) || undefined, "the poweroff to be scheduled"); // eslint-disable-line @typescript-eslint/no-explicit-any
  const ns = readlinkSync(`/proc/${a.boot.host_pid}/ns/pid`);
  await emu.admin.advanceClock(3600 * 1000 + 1000);
  await until(emu, (s) => s.bids.find((x: any) => x.fid === bid)?.status === "terminated" || undefined, "the bid to terminate"); // eslint-disable-line @typescript-eslint/no-explicit-any
  await emu.instances.fleet!.settled();
  expect(pidNamespaceMembers(ns)).toEqual([]);
});

test("--max-booted caps booted instances with a reason; a restart on the same state reboots without re-running the startup script", async () => {
  const state = path.join(dir, "state.json");
  const notices: string[] = [];
  let e2 = await startEmulator({ seed: 5, provisionSeconds: 0, statePath: state, maxBooted: 1, notice: (l) => notices.push(l) });
  try {
    const key = await newKey(e2, "reboot");
    const script = "#!/bin/bash\necho boot >> /var/lib/flow/boots\n";
    const first = await bootBid(e2, { ssh_keys: [key.fid], name: "r1", startup_script: script });
    const res = await call(e2, "POST", "/v2/spot/bids", bidBody(e2, { name: "r2", instance_type: A100 }));
    const waiting = await until(e2, (s) => s.instances.find((i: any) => i.bid === res.body.fid && i.boot?.state === "waiting"), "the cap"); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(waiting.boot.reason).toMatch(/--max-booted \(1\)/);
    expect(notices.join("\n")).toMatch(/not booted/);
    await e2.close();
    e2 = await startEmulator({ provisionSeconds: 0, statePath: state, maxBooted: 1 });
    const [inst] = await until(e2, (s) => {
      const l = s.instances.filter((i: any) => i.bid === first.bid && i.boot?.state === "booted"); // eslint-disable-line @typescript-eslint/no-explicit-any
      return l.length ? l : undefined;
    }, "the reboot");
    expect((await ssh(inst.ssh_destination, key.file, "cat /var/lib/flow/boots")).out).toBe("boot\n");
  } finally {
    await e2.close();
  }
});

test("preemption and reset kill the instance's processes; a re-allocated bid boots new instances", async () => {
  const key = await newKey(emu, "preempt");
  const { bid, instances: [first] } = await bootBid(emu, { ssh_keys: [key.fid], name: "preempt", region: "us-central1-b", limit_price: "$3.00" });
  const ns1 = readlinkSync(`/proc/${first.boot.host_pid}/ns/pid`);
  await emu.admin.setMarket({ instance_type: A100, region: "us-central1-b", price: "$5.00" });
  await emu.instances.fleet!.settled();
  expect(pidNamespaceMembers(ns1)).toEqual([]);
  await emu.admin.setMarket({ instance_type: A100, region: "us-central1-b", price: "$2.00" });
  const again = await until(emu, (s) => s.instances.find((i: any) => i.bid === bid && i.fid !== first.fid && i.boot?.state === "booted" && i.ssh_destination), "the re-allocation"); // eslint-disable-line @typescript-eslint/no-explicit-any
  expect((await ssh(again.ssh_destination, key.file, "echo back")).out).toBe("back\n");
  const ns2 = readlinkSync(`/proc/${again.boot.host_pid}/ns/pid`);
  await emu.admin.reset();
  expect(pidNamespaceMembers(ns2)).toEqual([]);
  expect((await emu.admin.state()).instances).toEqual([]);
});
