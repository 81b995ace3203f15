// The real command with --state: killed with -9 in the middle of writes, restarted, and every
// acknowledged change is still there; damaged or foreign state files are refused untouched.
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator } from "../../../src/emulator";
import { stateFile } from "../../../src/emulator/state";
import { A100, call } from "./helpers";
import { failingCli, startCli, type EmulatorProcess } from "./cli-process";

const KEY = "fcp-dev-key";
let dir: string;
const running: EmulatorProcess[] = [];

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "fcp-emu-dur-"));
});
afterEach(async () => {
  for (const p of running.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
    await p.exited;
  }
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function start(args: string[]): Promise<EmulatorProcess> {
  const p = await startCli(args);
  running.push(p);
  return p;
}

const target = (p: EmulatorProcess) => ({ url: p.url, apiKey: KEY });

describe("fcp-emulator, the command", () => {
  it("prints exactly the listening line first, and stops cleanly on SIGTERM and SIGINT", async () => {
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      const p = await start([]);
      expect(p.firstLine).toMatch(/^fcp-emulator listening on http:\/\/127\.0\.0\.1:\d+$/);
      expect((await call(target(p), "GET", "/v2/projects")).status).toBe(200);
      p.child.kill(signal);
      expect(await p.exited).toBe(0);
      expect(p.stderr()).toContain(`fcp-emulator stopped (${signal})`);
    }
  });

  it("accepts only the keys it was given, from flags and from FCP_EMULATOR_API_KEYS", async () => {
    const p = await start(["--api-key", "k-one", "--api-key", "k-two"]);
    expect((await call({ url: p.url, apiKey: "k-two" }, "GET", "/v2/me")).status).toBe(200);
    expect((await call({ url: p.url, apiKey: KEY }, "GET", "/v2/me")).status).toBe(401);
    expect(p.stderr() + p.firstLine).not.toContain("k-one");
  });

  it("says so when the port is taken", async () => {
    const first = await start([]);
    const port = new URL(first.url).port;
    const r = await failingCli(["--port", port]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`Port ${port} on 127.0.0.1 is already in use`));
  });

  it("refuses bad flags with a message", async () => {
    const r = await failingCli(["--provision-seconds", "-3"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/provision-seconds/);
  });
});

describe("durability with --state", () => {
  it("loses no acknowledged change across kill -9 in the middle of writes", async () => {
    const file = path.join(dir, "kill.json");
    const acked = new Map<string, { kind: "bid" | "volume" | "key"; limit?: string; inflightLimit?: string; cancelled?: boolean }>();
    let seenFids = new Set<string>();

    for (let round = 0; round < 3; round++) {
      const p = await start(["--state", file, "--seed", "9", "--provision-seconds", "0"]);
      const emu = target(p);
      const project = (await call(emu, "GET", "/v2/projects")).body[0].fid as string;

      // Everything acknowledged before any earlier kill is still there.
      const state = (await call(emu, "GET", "/_emulator/state", undefined, { key: null })).body;
      const byFid = new Map<string, { limit_price?: string; status?: string }>();
      for (const b of state.bids) byFid.set(b.fid, b);
      for (const v of state.volumes) byFid.set(v.fid, v);
      for (const k of state.ssh_keys) byFid.set(k.fid, k);
      for (const [fid, want] of acked) {
        const got = byFid.get(fid);
        expect(got).toBeDefined();
        if (want.limit) expect([want.limit, want.inflightLimit]).toContain(got!.limit_price);
        if (want.cancelled) expect(got!.status).toBe("cancelled");
      }
      // FIDs are never handed out twice, not even after a crash.
      const fidsNow = new Set(byFid.keys());
      seenFids = new Set([...seenFids, ...fidsNow]);

      // 24 writers, each with at most one request in flight, until the kill.
      let stop = false;
      let count = 0;
      const killAfter = 60 + round * 40;
      const writer = async (w: number) => {
        let mine: string | undefined;
        for (let i = 0; !stop; i++) {
          try {
            if (!mine || i % 5 === 0) {
              const kind = w % 3 === 0 ? "volume" : w % 3 === 1 ? "key" : "bid";
              const reply =
                kind === "volume"
                  ? await call(emu, "POST", "/v2/volumes", { name: `v-${round}-${w}-${i}`, size_gb: 1, project, region: "us-central1-a" })
                  : kind === "key"
                    ? await call(emu, "POST", "/v2/ssh-keys", { name: `k-${round}-${w}-${i}`, project })
                    : await call(emu, "POST", "/v2/spot/bids", {
                        project,
                        name: `b-${round}-${w}-${i}`,
                        region: "us-central1-a",
                        instance_type: A100,
                        limit_price: "$3.00",
                      });
              expect(reply.status).toBe(201);
              expect(seenFids.has(reply.body.fid)).toBe(false);
              acked.set(reply.body.fid, { kind, limit: kind === "bid" ? "$3.00" : undefined });
              if (kind === "bid") mine = reply.body.fid;
            } else if (i % 7 === 6) {
              const fid: string = mine;
              mine = undefined;
              const reply = await call(emu, "DELETE", `/v2/spot/bids/${fid}`);
              expect(reply.status).toBe(204);
              acked.set(fid, { kind: "bid", cancelled: true });
            } else {
              const limit = `$${(3 + ((w * 31 + i) % 100) / 100).toFixed(2)}`;
              const entry = acked.get(mine)!;
              entry.inflightLimit = limit;
              const reply = await call(emu, "PATCH", `/v2/spot/bids/${mine}`, { limit_price: limit });
              expect(reply.status).toBe(200);
              entry.limit = limit;
              entry.inflightLimit = undefined;
            }
            count++;
            if (count >= killAfter && !stop) {
              stop = true;
              p.child.kill("SIGKILL");
            }
          } catch (err) {
            // Requests in flight at the kill fail; anything else is a real failure.
            if (!stop) throw err;
          }
        }
      };
      await Promise.all(Array.from({ length: 24 }, (_, w) => writer(w)));
      expect(await p.exited).toBe("SIGKILL");

      // The file on disk is always whole and ours.
      const text = await fs.readFile(file, "utf8");
      expect(stateFile.safeParse(JSON.parse(text)).success).toBe(true);
    }
    expect(acked.size).toBeGreaterThan(100);
  });

  it("keeps the clock's advance across a restart", async () => {
    const file = path.join(dir, "clock.json");
    let p = await start(["--state", file]);
    const advanced = (await call(target(p), "POST", "/_emulator/clock/advance", { seconds: 7200 }, { key: null })).body;
    p.child.kill("SIGKILL");
    await p.exited;
    p = await start(["--state", file]);
    const now = (await call(target(p), "GET", "/_emulator/clock", undefined, { key: null })).body;
    expect(now.now_ms).toBeGreaterThanOrEqual(advanced.now_ms);
    expect(now.offset_ms).toBeGreaterThanOrEqual(7_200_000);
  });

  it.each([
    ["a damaged file", '{"format":"fcp-emulator-state","version":1,"state":{"seed":1,'],
    ["a foreign JSON file", '{"version": 4, "terraform_version": "1.9.0", "resources": []}'],
    ["an empty file", ""],
  ])("refuses %s with a clear message and leaves it byte for byte", async (_what, content) => {
    const file = path.join(dir, `refuse-${Math.random().toString(36).slice(2)}.json`);
    await fs.writeFile(file, content);
    const r = await failingCli(["--state", file]);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain("listening");
    expect(r.stderr).toMatch(/Refusing state file .* left untouched/);
    expect(await fs.readFile(file, "utf8")).toBe(content);
  });

  it("refuses a state file that another running emulator holds", async () => {
    const file = path.join(dir, "shared.json");
    await start(["--state", file]);
    const r = await failingCli(["--state", file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/in use by another fcp-emulator \(pid \d+\)/);
  });

  it("writes no API key and no generated private key to the state file, and keeps it private", async () => {
    const file = path.join(dir, "secrets.json");
    const emu = await startEmulator({ statePath: file, apiKeys: ["sk-secret-emulator-key"] });
    try {
      const key = await call(emu, "POST", "/v2/ssh-keys", { name: "gen", project: emu.projectFid });
      expect(key.body.private_key).toMatch(/PRIVATE KEY/);
      const text = await fs.readFile(file, "utf8");
      expect(text).toContain(key.body.fid);
      expect(text).not.toContain("sk-secret-emulator-key");
      expect(text).not.toContain("PRIVATE KEY");
      expect(text).not.toContain(key.body.private_key.split("\n")[1]);
      expect((await fs.stat(file)).mode & 0o077).toBe(0);
    } finally {
      await emu.close();
    }
  });
});
