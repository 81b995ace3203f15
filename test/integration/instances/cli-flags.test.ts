// `fcp-emulator --instances` and `--max-booted` through the real command: what the flags say is
// what the admin API shows for booted instances.
import { A100, call } from "../emulator/helpers";
import { failingCli, startCli, type EmulatorProcess } from "../emulator/cli-process";

jest.setTimeout(120_000);

const KEY = "fcp-dev-key";
const running: EmulatorProcess[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGTERM");
    await p.exited;
  }
});

async function start(args: string[]): Promise<EmulatorProcess> {
  const p = await startCli(["--provision-seconds", "0", ...args]);
  running.push(p);
  return p;
}

const target = (p: EmulatorProcess) => ({ url: p.url, apiKey: KEY });

async function bid(p: EmulatorProcess, name: string, quantity: number): Promise<string> {
  const projects = await call(target(p), "GET", "/v2/projects");
  const res = await call(target(p), "POST", "/v2/spot/bids", {
    project: projects.body[0].fid, region: "us-central1-a", instance_type: A100, limit_price: "$3.00",
    ssh_keys: [], startup_script: "#!/bin/bash\necho hi\n", name, instance_quantity: quantity,
  });
  expect(res.status).toBe(201);
  return res.body.fid as string;
}

/** Polls the admin API over HTTP (each round is a request) until `pick` finds what it wants. */
async function until<T>(p: EmulatorProcess, pick: (state: any) => T | undefined, what: string): Promise<T> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const deadline = Date.now() + 90_000;
  for (;;) {
    const state = (await call(target(p), "GET", "/_emulator/state", undefined, { key: null })).body;
    const found = pick(state);
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(state.instances)}`);
  }
}

type Inst = { bid: string; boot: null | { state: string; reason?: string } };

test("--instances none: the command says nothing boots and instances carry no boot state", async () => {
  const p = await start(["--instances", "none"]);
  // The line may have come with the first one: check what was printed, then each new chunk.
  const out = await new Promise<string>((resolve) => {
    const check = () => (/instances: none/.test(p.stdout()) ? resolve(p.stdout()) : undefined);
    p.child.stdout!.on("data", () => setImmediate(check));
    check();
  });
  expect(out).toMatch(/instances: none \(nothing boots/);
  const fid = await bid(p, "none", 1);
  const [inst] = await until(p, (s) => {
    const list = s.instances.filter((i: Inst) => i.bid === fid);
    return list.length === 1 ? list : undefined;
  }, "the instance to exist");
  expect(inst.boot ?? null).toBeNull();
});

test("--max-booted 1 through the command: the second instance waits, and the admin API names the flag", async () => {
  const p = await start(["--instances", "sandbox", "--max-booted", "1"]);
  const fid = await bid(p, "capped", 2);
  const boots = await until(p, (s) => {
    const list: Inst[] = s.instances.filter((i: Inst) => i.bid === fid);
    const states = list.map((i) => i.boot?.state);
    return list.length === 2 && states.includes("booted") && list.some((i) => /--max-booted \(1\)/.test(i.boot?.reason ?? "")) ? list : undefined;
  }, "one booted instance and one held back by --max-booted");
  expect(boots.filter((i) => i.boot?.state === "booted")).toHaveLength(1);
});

test("--max-booted refuses a value that is not a whole number", async () => {
  const r = await failingCli(["--max-booted", "many"]);
  expect(r.code).not.toBe(0);
  expect(r.stderr).toMatch(/--max-booted/);
});
