// The real client as a peer: flow-compute (the official Mithril Python SDK, pinned in
// scripts/flow-compute/venv.sh) drives `fcp-emulator --dialect mithril` through the spot-compute
// lifecycle with its own code, unchanged. Every response it gets is validated against the
// OpenAPI document that ships in the same package (the jest globalSetup turns that on).
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { startEmulator, type RunningEmulator } from "../../../src/emulator";
import { generateEd25519KeyPair } from "../../../src/ssh/generate-key-pair";
import { flowComputeVenv } from "../../fixtures/live-openapi";
import { call } from "../emulator/helpers";

const run = promisify(execFile);

interface Step {
  step: string;
  [fact: string]: unknown;
}

describe("flow-compute's own SDK against fcp-emulator --dialect mithril", () => {
  let emu: RunningEmulator;
  let home: string;

  beforeAll(async () => {
    emu = await startEmulator({ dialect: "mithril", instances: "none", seed: 77, provisionSeconds: 60 });
    home = await mkdtemp(path.join(tmpdir(), "flow-peer-"));
  });
  afterAll(async () => {
    await emu?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it("lists types, makes and uploads SSH keys, runs, finds, pauses, resumes and cancels a task, and manages a volume", async () => {
    // An uploaded key needs its private half beside the .pub, as flow-compute checks for both.
    const pair = generateEd25519KeyPair("peer@test");
    const keyPath = path.join(home, "peer_ed25519");
    await writeFile(keyPath, pair.privateKey, { mode: 0o600 });
    await writeFile(`${keyPath}.pub`, `${pair.publicKey}\n`);

    const python = path.join(process.env.FLOW_COMPUTE_VENV ?? flowComputeVenv(), "bin/python");
    const script = path.join(__dirname, "flow-compute-peer.py");
    const { stdout } = await run(python, [script, keyPath], {
      // Only what the SDK needs: no developer config, no real key, no FCP_* settings.
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: home,
        MITHRIL_API_URL: emu.url,
        MITHRIL_API_KEY: emu.apiKey,
        MITHRIL_PROJECT: "my-project",
      },
      timeout: 300_000,
      maxBuffer: 16 * 1024 * 1024,
    }).catch((err: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`flow-compute failed:\n${err.stdout ?? ""}\n${err.stderr ?? err.message}`);
    });
    const steps = new Map(
      stdout
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Step)
        .map((s) => [s.step, s]),
    );

    expect(steps.get("instance-types")).toMatchObject({ count: 6 });
    // The SDK's own view of the market: the a100 pools the emulator seeds, at their prices.
    expect(steps.get("availability")).toMatchObject({ regions: ["eu-central1-a", "us-central1-a", "us-central1-b"], prices: { "us-central1-a": 2.4, "us-central1-b": 2.2, "eu-central1-a": 2.6 } });
    const generated = steps.get("ssh-key-generated")?.fid as string;
    const uploaded = steps.get("ssh-key-uploaded")?.fid as string;
    expect(generated).toMatch(/^sshkey_/);
    expect(uploaded).toMatch(/^sshkey_/);
    expect(steps.get("ssh-keys")?.fids).toEqual([generated, uploaded].sort());

    const taskId = steps.get("task-submitted")?.task_id as string;
    expect(taskId).toMatch(/^bid_/);
    expect(steps.get("tasks")?.ids).toContain(taskId);
    expect(steps.get("task-found")).toMatchObject({ task_id: taskId });
    expect(steps.get("paused")).toMatchObject({ bid: "Paused" });
    expect(steps.get("resumed")).toMatchObject({ bid: "Allocated" });
    expect(steps.get("cancelled")).toMatchObject({ status: "cancelled" });
    expect(steps.get("volume-created")?.fid).toMatch(/^vol_/);
    expect(steps.get("volumes")?.fids).toEqual([steps.get("volume-created")?.fid]);
    expect(steps.get("volume-deleted")).toMatchObject({ remaining: [] });
    expect(steps.has("done")).toBe(true);

    // What the SDK sent, seen from the server: a nested launch_specification with a startup
    // script inside the limit, and the SSH key it was given.
    const bid = await call(emu, "GET", `/v2/spot/bids/${taskId}`);
    expect(bid.status).toBe(200);
    expect(bid.body).toMatchObject({ status: "Terminated", launch_specification: { ssh_keys: expect.arrayContaining([generated]) } });
    const startup = bid.body.launch_specification.startup_script as string;
    expect(startup.length).toBeGreaterThan(0);
    expect(startup.length).toBeLessThanOrEqual(10_000);
    expect(startup).toMatch(/^#!\/bin\/bash\n# FLOW_ORIGIN: flow-compute v3\.28\.2/);
    expect(startup).toContain("peer-task");

    // The server-generated key is RSA, saved by the SDK where it keeps keys.
    const keys = await call(emu, "GET", `/v2/ssh-keys?project=${emu.projectFid}`);
    expect(keys.body.find((k: { fid: string }) => k.fid === generated).public_key).toMatch(/^ssh-rsa /);
    expect(keys.body.find((k: { fid: string }) => k.fid === uploaded).public_key).toBe(pair.publicKey);

    expect(emu.openApiViolations()).toEqual([]);
    expect(process.env.FCP_EMULATOR_VALIDATE_OPENAPI).toBe("1");
  });
});
