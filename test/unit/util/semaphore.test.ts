import { FcpClient } from "../../../src/fcp-client/client";
import { ConcurrencyLimiter } from "../../../src/util/semaphore";
import { PROJECTS, type ScriptedServer, json, startScriptedServer } from "../fcp-client/scripted-server";

describe("client-side concurrency limit", () => {
  let server: ScriptedServer;
  let inFlight = 0;
  let maxSeen = 0;
  const held: Array<() => void> = [];

  beforeAll(async () => {
    server = await startScriptedServer((_req, res) => {
      inFlight++;
      maxSeen = Math.max(maxSeen, inFlight);
      // Held until the test releases it, so overlap is certain rather than timed.
      held.push(() => {
        inFlight--;
        json(res, 200, PROJECTS);
      });
    });
  });
  afterAll(() => server.close());

  async function releaseAll(until: () => boolean) {
    while (!until()) {
      const next = held.shift();
      if (next) next();
      await new Promise((r) => setImmediate(r));
    }
  }

  it("never has more than maxConcurrency requests at the server", async () => {
    const c = new FcpClient({ apiKey: "fcp-key-conc-00000000", apiUrl: server.url, maxConcurrency: 3 });
    let done = 0;
    const calls = Array.from({ length: 30 }, () => c.listProjects().then(() => done++));
    // Wait until the first three are held at the server.
    while (held.length < 3) await new Promise((r) => setImmediate(r));
    expect(held).toHaveLength(3);
    await releaseAll(() => done === 30);
    await Promise.all(calls);
    expect(maxSeen).toBe(3);
    expect(server.requests).toHaveLength(30);
    await c.close();
  });
});

describe("ConcurrencyLimiter", () => {
  it("queues beyond the limit and runs in order", async () => {
    const limiter = new ConcurrencyLimiter(2);
    const order: number[] = [];
    const gates: Array<() => void> = [];
    const tasks = [0, 1, 2, 3].map((i) =>
      limiter.run(async () => {
        order.push(i);
        await new Promise<void>((r) => gates.push(r));
      }),
    );
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([0, 1]);
    expect(limiter.queued).toBe(2);
    gates.shift()!();
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([0, 1, 2]);
    while (gates.length) {
      gates.shift()!();
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(tasks);
    expect(limiter.peak).toBe(2);
  });

  it("lets an aborted waiter leave the queue", async () => {
    const limiter = new ConcurrencyLimiter(1);
    let release!: () => void;
    const first = limiter.run(() => new Promise<void>((r) => (release = r)));
    const ac = new AbortController();
    const second = limiter.run(async () => "ran", ac.signal);
    ac.abort(new Error("stop"));
    await expect(second).rejects.toThrow("stop");
    expect(limiter.queued).toBe(0);
    release();
    await first;
  });

  it("refuses a limit below 1", () => {
    expect(() => new ConcurrencyLimiter(0)).toThrow(/at least 1/);
  });
});
