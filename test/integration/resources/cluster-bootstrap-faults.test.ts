// Faults the bootstrap must live with, on booting instances: a node whose SSH server refuses
// connections for a while (retried, then the cluster comes up), and one that never comes up (the
// update fails within the bounded wait, naming the host and what was tried, with the bid kept in
// state so `destroy` still cancels it). The refusals come from the emulator's fleet knob.
import * as path from "node:path";
import { Task } from "../../../src/resources/task";
import { fcpStack, liveBids, type FcpStack } from "../../fixtures/resources/fcp-stack";
import { expectDeploymentFailure } from "../../fixtures/expect-failure";

jest.setTimeout(600_000);

const CODE_DIR = path.resolve(__dirname, "../../../examples/stacks/training-cluster/workload");

const program = (bootstrapTimeoutSeconds: number) => async () => {
  const task = new Task("faulty", {
    instanceType: "a100",
    region: "us-central1-a",
    numInstances: 2,
    maxPricePerHour: 3,
    codeDir: CODE_DIR,
    command: ["true"],
    bootstrapTimeoutSeconds,
  });
  return { bidId: task.bidId, nodes: task.nodes };
};

/** Polls (each round a real check, with a deadline) until `what` holds. */
async function until(what: string, holds: () => boolean): Promise<void> {
  const deadline = Date.now() + 180_000;
  while (!holds()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("a node whose SSH is refused for a while", () => {
  let s: FcpStack;
  beforeAll(async () => {
    s = await fcpStack({ emulator: { instances: "sandbox", provisionSeconds: 0.3 } });
  });
  afterAll(() => s?.close());

  test("is retried, and the cluster comes up once it answers", async () => {
    const fleet = s.emulator.instances.fleet!;
    let victim: string | undefined;
    let lifted = false;
    fleet.refuseSsh((i) => {
      victim ??= i.fid;
      return !lifted && i.fid === victim;
    });
    const up = s.engine.up(program(300));
    await until("the bootstrap to be refused three times", () => victim !== undefined && fleet.sshRefusals(victim) >= 3);
    lifted = true;
    const result = await up;
    fleet.refuseSsh(undefined);
    expect(result.pluginStdout).toMatch(new RegExp(`instance ${victim} \\(.*\\) not reachable yet \\(attempt \\d+: connection (reset|closed before the SSH handshake)`));
    const nodes = result.outputs.nodes.value as Array<{ instanceId: string; state: string }>;
    expect(nodes.map((n) => n.state)).toEqual(["ready", "ready"]);
    expect(nodes.map((n) => n.instanceId)).toContain(victim);
    await s.engine.destroy();
    expect(await liveBids(s.client)).toEqual([]);
  });
});

describe("a node that never comes up", () => {
  let s: FcpStack;
  beforeAll(async () => {
    s = await fcpStack({ emulator: { instances: "sandbox", provisionSeconds: 0.3 } });
  });
  afterAll(() => s?.close());

  test("fails the update within the bounded wait, naming the host and what was tried; the bid stays in state and destroy cancels it", async () => {
    const fleet = s.emulator.instances.fleet!;
    let victim: string | undefined;
    fleet.refuseSsh((i) => {
      victim ??= i.fid;
      return i.fid === victim;
    });
    const started = Date.now();
    const err = await expectDeploymentFailure(s.engine.up(program(5)));
    const elapsed = Date.now() - started;
    expect(err.message).toMatch(new RegExp(`instance ${victim} \\(127\\.0\\.\\d+\\.\\d+:\\d+\\): Could not open an SSH session to instance ${victim} .*: \\d+ attempts in \\d+ s, the last failed with: connection (reset|closed before the SSH handshake)`));
    expect(err.message).toMatch(/1 of 2 node\(s\) failed/);
    expect(err.message).toMatch(/stays in the stack/);
    // Bounded: the 5 s wait, not the bid's 30 minutes (generous margin for a busy machine).
    expect(elapsed).toBeLessThan(5 * 60_000);

    const [bid] = await liveBids(s.client);
    expect(bid).toBeDefined();
    const resources = await s.engine.resources();
    expect(resources.find((r) => r.type === "pulumi-nodejs:dynamic/fcp:SpotBid")?.id).toBe(bid.fid);
    expect(resources.find((r) => r.type === "pulumi-nodejs:dynamic/fcp:ClusterBootstrap")).toBeUndefined();

    fleet.refuseSsh(undefined);
    await s.engine.destroy();
    expect(await liveBids(s.client)).toEqual([]);
  });
});
