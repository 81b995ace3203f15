// The `flow` command as users run it: the built binary as a child process, against the emulator
// with booting instances (each its own 127.0.0.N and SSH server), with its own HOME.
import { execFile } from "node:child_process";
import { mkdtempSync, promises as fs, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../../src/emulator";
import { flow, flowEnv, FlowProcess, FLOW_BIN } from "./cli-harness";
import { validPair } from "../../fixtures/ssh-key-pair";

jest.setTimeout(180_000);

let emu: RunningEmulator;
let home: string;
let work: string;
let env: Record<string, string>;

beforeAll(async () => {
  emu = await startEmulator({ seed: 1717, provisionSeconds: 0, instances: "sandbox" });
  expect(emu.instances.mode).toBe("sandbox");
  home = mkdtempSync(path.join(tmpdir(), "flow-cli-home-"));
  work = mkdtempSync(path.join(tmpdir(), "flow-cli-work-"));
  env = flowEnv(emu, home);
});
afterAll(async () => {
  await emu?.close();
  await fs.rm(home, { recursive: true, force: true });
  await fs.rm(work, { recursive: true, force: true });
});

// The task waits for /workspace/go before printing, then for /workspace/stop before ending, so
// the test decides when its lines appear and when it ends.
const TASK_YAML = `# a task in the seed's format
name: cli-demo
instance_type: a100
max_price_per_hour: 15
upload_code: false
env:
  GREETING: hello
shell: |
  echo "started $GREETING"
  until [ -e /workspace/go ]; do sleep 0.2; done
  for i in 1 2 3; do echo "line-$i"; done
  until [ -e /workspace/stop ]; do sleep 0.2; done
  echo bye
`;

test("flow run of a YAML file waits until it runs; status shows it running (table and --json)", async () => {
  writeFileSync(path.join(work, "task.yaml"), TASK_YAML);
  const run = await flow(["run", "task.yaml"], env, { cwd: work });
  expect(run.err).toBe("");
  expect(run.code).toBe(0);
  expect(run.out).toMatch(/^cli-demo {2}bid_\w+ {2}running {2}\$15\.00\/h$/m);
  expect(run.out).toMatch(/ssh: flow ssh cli-demo/);

  const table = await flow(["status"], env);
  expect(table.code).toBe(0);
  expect(table.out.split("\n")[0]).toMatch(/^NAME\s+ID\s+STATUS\s+NODES\s+COST\/H\s+AGE$/);
  expect(table.out).toMatch(/^cli-demo\s+bid_\w+\s+running\s+1\/1\s+\$15\.00\s+\d+[smh]$/m);

  const json = await flow(["status", "--json"], env);
  const tasks = JSON.parse(json.out) as Array<{ name: string; status: string; instances: Array<{ sshHost: string }>; nodes: Array<{ status: string; step: string }> }>;
  const mine = tasks.find((t) => t.name === "cli-demo")!;
  expect(mine.status).toBe("running");
  expect(mine.instances[0].sshHost).toMatch(/^127\.0\.\d+\.\d+$/);
  expect(mine.nodes[0]).toMatchObject({ status: "running", step: "run" });
});

test("flow ssh -- cmd streams its output and returns the remote exit code", async () => {
  const r = await flow(["ssh", "cli-demo", "--", "echo $GREETING-from-$(hostname -I 2>/dev/null | cut -d' ' -f1 || true); echo err >&2; exit 7"], env);
  expect(r.code).toBe(7);
  expect(r.err).toBe("err\n");
  const ok = await flow(["ssh", "cli-demo", "--", "cat /var/log/flow/task.log"], env);
  expect(ok.code).toBe(0);
  expect(ok.out).toBe("started hello\n");
  // Output streams while the command runs.
  const live = new FlowProcess(["ssh", "cli-demo", "--", "echo first; until [ -e /tmp/ssh-go ]; do sleep 0.2; done; echo second; exit 4"], env);
  await live.waitFor(/^first\n$/);
  expect((await flow(["ssh", "cli-demo", "--", "touch /tmp/ssh-go"], env)).code).toBe(0);
  expect(await live.exited).toBe(4);
  expect(live.out).toBe("first\nsecond\n");
});

test("an interactive flow ssh session in tmux: type a command, read the screen, exit with the shell's code", async () => {
  const session = `flow-cli-${process.pid}`;
  const exitFile = path.join(work, "ssh-exit");
  const envArgs = Object.entries(env).map(([k, v]) => `${k}=${shq(v)}`).join(" ");
  const cmd = `env -i ${envArgs} TERM=xterm ${shq(process.execPath)} ${shq(FLOW_BIN)} ssh cli-demo; echo $? > ${shq(exitFile)}`;
  await sh("tmux", ["new-session", "-d", "-s", session, "-x", "100", "-y", "30", cmd]);
  try {
    const screen = () => sh("tmux", ["capture-pane", "-p", "-t", session]).catch(() => "");
    await until(async () => /[$#] *$/m.test(await screen()), "a prompt");
    await sh("tmux", ["send-keys", "-t", session, "echo tty=$(tty) sum=$((20+22))", "Enter"]);
    await until(async () => /tty=\/dev\/pts\/\d+ sum=42/.test(await screen()), "the command's output on screen");
    // The window size reached the pty.
    await sh("tmux", ["send-keys", "-t", session, "stty size", "Enter"]);
    await until(async () => /^30 100$/m.test(await screen()), "stty size 30 100");
    await sh("tmux", ["send-keys", "-t", session, "exit 3", "Enter"]);
    await until(async () => (await fs.readFile(exitFile, "utf8").catch(() => "")).trim() === "3", "flow ssh to exit with 3");
  } finally {
    await sh("tmux", ["kill-session", "-t", session]).catch(() => undefined);
  }
});

test("flow logs -f streams lines printed after it began and ends when the task ends", async () => {
  const logs = new FlowProcess(["logs", "cli-demo", "-f"], env);
  await logs.waitFor(/started hello\n/);
  expect(logs.out).not.toMatch(/line-1/);
  expect((await flow(["ssh", "cli-demo", "--", "touch /workspace/go"], env)).code).toBe(0);
  await logs.waitFor(/line-1\nline-2\nline-3\n/);
  expect(logs.child.exitCode).toBeNull();
  expect((await flow(["ssh", "cli-demo", "--", "touch /workspace/stop"], env)).code).toBe(0);
  expect(await logs.exited).toBe(0);
  expect(logs.out).toBe("started hello\nline-1\nline-2\nline-3\nbye\n");

  const status = await flow(["status", "cli-demo", "--json"], env);
  expect(JSON.parse(status.out)).toMatchObject({ name: "cli-demo", status: "completed", nodes: [{ status: "succeeded", exit_code: 0 }] });
  const startup = await flow(["logs", "cli-demo", "--startup", "--tail", "50"], env);
  expect(startup.code).toBe(0);
  expect(startup.out.length).toBeGreaterThan(0);
});

test("flow cancel: refuses without a terminal unless --yes, then ends the task", async () => {
  writeFileSync(path.join(work, "sleepy.yaml"), TASK_YAML.replace("name: cli-demo", "name: sleepy"));
  expect((await flow(["run", "sleepy.yaml"], env, { cwd: work })).code).toBe(0);
  // Ctrl-C ends a follow with 130.
  const following = new FlowProcess(["logs", "sleepy", "-f"], env);
  await following.waitFor(/started hello\n/);
  following.child.kill("SIGINT");
  expect(await following.exited).toBe(130);
  const refused = await flow(["cancel", "sleepy"], env);
  expect(refused.code).toBe(2);
  expect(refused.err).toMatch(/pass --yes/);
  const cancel = await flow(["cancel", "sleepy", "--yes", "--json"], env);
  expect(cancel.code).toBe(0);
  expect(JSON.parse(cancel.out)).toEqual([expect.objectContaining({ name: "sleepy", cancelled: true, status: "cancelled" })]);
  const after = await flow(["status", "sleepy", "--json"], env);
  expect(JSON.parse(after.out).status).toBe("cancelled");
  // The same name again, cancelled again: two bids named sleepy, so the name is ambiguous.
  expect((await flow(["run", "sleepy.yaml", "--no-wait"], env, { cwd: work })).code).toBe(0);
  expect((await flow(["cancel", "sleepy", "--yes"], env)).code).toBe(0);
  const ambiguous = await flow(["status", "sleepy"], env);
  expect(ambiguous.code).toBe(2);
  expect(ambiguous.err).toMatch(/matches 2 tasks:\n\s+bid_\w+\s+cancelled[\s\S]*bid_\w+\s+cancelled/);
});

test("an sbatch script runs with the SLURM variables set from the cluster env", async () => {
  writeFileSync(path.join(work, "job.slurm"), `#!/bin/bash
#SBATCH --job-name=slurm-demo
#SBATCH --nodes=1
#SBATCH --gres=gpu:a100:1
#SBATCH --time=00:30:00
#SBATCH --output=/workspace/out-%j.log
#SBATCH --qos=high
echo "job=$SLURM_JOB_ID nodes=$SLURM_NNODES node=$SLURM_NODEID proc=$SLURM_PROCID list=$SLURM_JOB_NODELIST"
`);
  const run = await flow(["run", "job.slurm", "--max-price-per-hour", "9", "--json"], env, { cwd: work });
  expect(run.code).toBe(0);
  expect(run.err).toMatch(/warning: line 7: --qos=high ignored: FCP has no QOS/);
  const task = JSON.parse(run.out) as { name: string; instances: Array<{ privateIp: string }> };
  expect(task.name).toBe("slurm-demo");
  const logs = new FlowProcess(["logs", "slurm-demo", "-f", "--tail", "100"], env);
  expect(await logs.exited).toBe(0);
  expect(logs.out).toMatch(/^job=\d+ nodes=1 node=0 proc=0 list=127\.0\.\d+\.\d+$/m);
  const out = await flow(["ssh", "slurm-demo", "--", "cat /workspace/out-*.log"], env);
  expect(out.out).toBe(logs.out);
});

test("a 2-node flow run starts as a cluster: ranks, main IP and peers arrive over SSH; logs and ssh reach --node 1", async () => {
  writeFileSync(path.join(work, "pair.yaml"), `name: cli-pair
instance_type: a100
num_instances: 2
max_price_per_hour: 15
upload_code: false
shell: |
  echo "rank $FLOW_NODE_RANK of $FLOW_NUM_NODES, main $MASTER_ADDR:$MASTER_PORT"
  until [ -e /workspace/stop ]; do sleep 0.2; done
`);
  const run = await flow(["run", "pair.yaml"], env, { cwd: work });
  expect(run.err).toBe("");
  expect(run.code).toBe(0);
  const json = JSON.parse((await flow(["status", "cli-pair", "--json"], env)).out) as Array<{ instances: Array<{ privateIp: string }> }> | { instances: Array<{ privateIp: string }> };
  const task = Array.isArray(json) ? json[0] : json;
  const [main, peer] = task.instances.map((i) => i.privateIp);
  for (const node of [0, 1]) {
    const clusterEnv = await flow(["ssh", "cli-pair", "--node", String(node), "--", "cat /var/lib/flow/cluster.env"], env);
    expect(clusterEnv.code).toBe(0);
    expect(clusterEnv.out).toContain(`FLOW_NODE_RANK=${node}`);
    expect(clusterEnv.out).toContain(`FLOW_MAIN_IP=${main}`);
    expect(clusterEnv.out).toContain(`FLOW_NODE_IPS=${main},${peer}`);
    expect(clusterEnv.out).not.toContain(emu.apiKey);
  }
  // Each node's task saw its own rank (the log may take a moment after cluster.env arrives).
  const log = await flow(["ssh", "cli-pair", "--node", "1", "--", "for i in $(seq 300); do [ -s /var/log/flow/task.log ] && break; sleep 0.1; done; cat /var/log/flow/task.log"], env);
  expect(log.out).toBe(`rank 1 of 2, main ${main}:29500\n`);
  const logs0 = await flow(["logs", "cli-pair", "--node", "0"], env);
  expect(logs0.out).toContain("rank 0 of 2");
  expect((await flow(["cancel", "cli-pair", "--yes"], env)).code).toBe(0);
});

test("flow run -i TYPE -- command: no task file needed", async () => {
  const run = await flow(["run", "-i", "a100", "--max-price-per-hour", "3", "--name", "quick", "--", "echo", "quick hello"], env);
  expect(run.code).toBe(0);
  const logs = new FlowProcess(["logs", "quick", "-f"], env);
  expect(await logs.exited).toBe(0);
  expect(logs.out).toBe("quick hello\n");
  expect(JSON.parse((await flow(["status", "quick", "--json"], env)).out)).toMatchObject({ status: "completed", hourlyCost: "$3.00" });
  const noPrice = await flow(["run", "-i", "a100", "--", "true"], env);
  expect(noPrice.code).toBe(2);
  expect(noPrice.err).toMatch(/needs --max-price-per-hour/);
});

test("errors: YAML positions (exit 2), unknown task (4), bad key (3), usage (2); --json errors parse", async () => {
  writeFileSync(path.join(work, "bad.yaml"), "name: bad\ninstance_type: a100\nmax_price_per_hour: 5\ncommand: run.sh\nssh_key: k\n");
  const bad = await flow(["run", "bad.yaml"], env, { cwd: work });
  expect(bad.code).toBe(2);
  expect(bad.err).toMatch(/bad\.yaml:5:1: ssh_key: /);
  expect(bad.err).toMatch(/hint: .*ssh_keys/);

  const missing = await flow(["status", "cli-dmo"], env);
  expect(missing.code).toBe(4);
  expect(missing.err).toMatch(/Did you mean cli-demo\?/);
  const json = await flow(["status", "nope", "--json"], env);
  expect(JSON.parse(json.out).error).toMatchObject({ name: "BidNotFoundError", errorCode: "NOT_FOUND" });

  const auth = await flow(["status"], { ...env, FCP_API_KEY: "wrong-key" });
  expect(auth.code).toBe(3);
  expect(auth.err).not.toContain("wrong-key");
  expect((await flow(["run"], env)).code).toBe(2);
  expect((await flow(["frobnicate"], env)).code).toBe(2);
});

test("flow catalog lists types × regions with price and capacity, filters by GPU memory, --json parses", async () => {
  const table = await flow(["catalog", "--sort", "price"], env);
  expect(table.code).toBe(0);
  expect(table.out.split("\n")[0]).toMatch(/INSTANCE TYPE\s+GPUS\s+GPU MEM\s+REGION\s+SPOT\/H\s+CAPACITY/);
  const rows = JSON.parse((await flow(["catalog", "--json", "--min-gpu-memory", "80"], env)).out) as Array<{ gpuMemoryGb: number; spotPriceCents: number; capacity: number }>;
  expect(rows.length).toBeGreaterThan(0);
  expect(rows.every((r) => r.gpuMemoryGb >= 80)).toBe(true);
  expect(rows.map((r) => r.spotPriceCents)).toEqual([...rows.map((r) => r.spotPriceCents)].sort((a, b) => a - b));
});

test("flow volumes and flow keys: create, list (--json), delete, add", async () => {
  const created = await flow(["volumes", "create", "--size", "50", "--name", "cli-vol", "--interface", "file", "--json"], env);
  expect(created.code).toBe(0);
  const vol = JSON.parse(created.out) as { fid: string; sizeGb: number };
  expect(vol.sizeGb).toBe(50);
  const listed = await flow(["volumes", "list"], env);
  expect(listed.out).toMatch(new RegExp(`^${vol.fid}\\s+cli-vol\\s+50 GB\\s+file\\s`, "m"));
  expect((await flow(["volumes", "delete", vol.fid], env)).out).toBe(`deleted ${vol.fid}\n`);
  expect(JSON.parse((await flow(["volumes", "list", "--json"], env)).out).map((v: { fid: string }) => v.fid)).not.toContain(vol.fid);

  const pub = path.join(work, "mine.pub");
  writeFileSync(pub, validPair("added").public);
  const added = await flow(["keys", "add", "laptop", pub, "--json"], env);
  expect(added.code).toBe(0);
  const keys = JSON.parse((await flow(["keys", "list", "--json"], env)).out) as Array<{ name: string; local?: string }>;
  expect(keys.find((k) => k.name === "laptop")).toMatchObject({ name: "laptop" });
  expect(keys.find((k) => k.name === "laptop")?.local).toBeUndefined();
  // The keys flow run generated are held here.
  const generated = keys.filter((k) => k.name.startsWith("flow-cli-demo-"));
  expect(generated.length).toBeGreaterThan(0);
  expect(generated.every((k) => k.local?.startsWith(path.join(home, ".flow", "keys")))).toBe(true);
});

test("flow init writes 0600 files, verifies the key, and never prints it", async () => {
  const initHome = mkdtempSync(path.join(tmpdir(), "flow-init-home-"));
  const bare = { PATH: env.PATH, HOME: initHome };
  const wrong = await flow(["init", "--api-key-stdin", "--api-url", emu.url], bare, { input: "not-the-key\n" });
  expect(wrong.code).toBe(3);
  expect(wrong.out + wrong.err).not.toContain("not-the-key");

  const r = await flow(["init", "--api-key-stdin", "--api-url", emu.url, "--project", "my-project", "--region", "us-central1-b"], bare, { input: `${emu.apiKey}\n` });
  expect(r.code).toBe(0);
  expect(r.out + r.err).not.toContain(emu.apiKey);
  for (const f of ["config.yaml", "credentials.fcp"]) expect(statSync(path.join(initHome, ".flow", f)).mode & 0o777).toBe(0o600);
  expect(await fs.readFile(path.join(initHome, ".flow", "config.yaml"), "utf8")).not.toContain(emu.apiKey);
  // What init wrote is enough for the next command.
  const status = await flow(["status", "--json", "--all"], bare);
  expect(status.code).toBe(0);
  expect(JSON.parse(status.out).map((t: { name: string }) => t.name)).toContain("cli-demo");
  await fs.rm(initHome, { recursive: true, force: true });
});

test("flow init on a terminal (tmux): asks, hides the key as it is typed, writes 0600 files", async () => {
  const initHome = mkdtempSync(path.join(tmpdir(), "flow-init-tty-"));
  const session = `flow-init-${process.pid}`;
  const exitFile = path.join(initHome, "exit");
  const cmd = `env -i PATH=${shq(env.PATH)} HOME=${shq(initHome)} TERM=xterm ${shq(process.execPath)} ${shq(FLOW_BIN)} --api-url ${shq(emu.url)} init; echo $? > ${shq(exitFile)}; sleep 600`;
  await sh("tmux", ["new-session", "-d", "-s", session, "-x", "120", "-y", "30", cmd]);
  try {
    const screen = () => sh("tmux", ["capture-pane", "-p", "-t", session]).catch(() => "");
    await until(async () => /FCP API key \(input hidden\): *$/m.test(await screen()), "the key prompt");
    await sh("tmux", ["send-keys", "-t", session, "-l", emu.apiKey]);
    await sh("tmux", ["send-keys", "-t", session, "Enter"]);
    await until(async () => /API URL \[http:\/\/127\.0\.0\.1:\d+\]: *$/m.test(await screen()), "the URL prompt");
    await sh("tmux", ["send-keys", "-t", session, "Enter"]);
    await until(async () => /Project \(my-project\) \[my-project\]: *$/m.test(await screen()), "the project prompt");
    await sh("tmux", ["send-keys", "-t", session, "Enter"]);
    await until(async () => /Default region \[us-central1-b\]: *$/m.test(await screen()), "the region prompt");
    await sh("tmux", ["send-keys", "-t", session, "-l", "us-central1-a"]);
    await sh("tmux", ["send-keys", "-t", session, "Enter"]);
    await until(async () => (await fs.readFile(exitFile, "utf8").catch(() => "")).trim() === "0", "flow init to exit 0");
    const shown = await screen();
    expect(shown).toMatch(/API key verified for /);
    expect(shown).not.toContain(emu.apiKey);
    for (const f of ["config.yaml", "credentials.fcp"]) expect(statSync(path.join(initHome, ".flow", f)).mode & 0o777).toBe(0o600);
    expect(await fs.readFile(path.join(initHome, ".flow", "config.yaml"), "utf8")).toBe(`api_url: ${emu.url}\nproject: my-project\nregion: us-central1-a\n`);
  } finally {
    await sh("tmux", ["kill-session", "-t", session]).catch(() => undefined);
    await fs.rm(initHome, { recursive: true, force: true });
  }
});

test("flow emulator starts fcp-emulator with its options and stops on SIGTERM", async () => {
  const emulator = new FlowProcess(["emulator", "--port", "0", "--instances", "none", "--seed", "3"], { PATH: env.PATH, HOME: home });
  await emulator.waitFor(/^fcp-emulator listening on http:\/\/127\.0\.0\.1:(\d+)$/m);
  const url = /listening on (\S+)/.exec(emulator.out)![1];
  const catalog = await flow(["catalog", "--json"], { ...env, FCP_API_URL: url });
  expect(JSON.parse(catalog.out).length).toBeGreaterThan(0);
  emulator.child.kill("SIGTERM");
  expect(await emulator.exited).not.toBeNull();
});

function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function sh(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => execFile(cmd, args, { timeout: 30_000 }, (e, out, err) => (e ? reject(new Error(`${cmd} ${args.join(" ")}: ${err || e.message}`)) : resolve(out))));
}

/** Polls `check` (each round a real command) until it holds; fails after a generous deadline. */
async function until(check: () => Promise<boolean>, what: string, deadlineMs = 60_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}
