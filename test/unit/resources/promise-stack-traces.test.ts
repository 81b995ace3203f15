// Constructing a resource formats one stack trace (its source position), not one per promise the
// SDK makes for its outputs: those traces are printed only for PULUMI_DEBUG_PROMISE_LEAKS, and
// formatting about a hundred per SpotBid was most of what a 256-bid program spent registering.
import * as pulumi from "@pulumi/pulumi";
import { ClusterBootstrap } from "../../../src/resources/cluster-bootstrap";
import { skipPromiseStackTraces } from "../../../src/resources/promise-stack-traces";
import { SpotBid } from "../../../src/resources/spot-bid";
import { SshKey } from "../../../src/resources/ssh-key";
import { Task } from "../../../src/resources/task";
import { Volume } from "../../../src/resources/volume";

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    { newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }), call: () => ({}) },
    "promise-stacks",
    "test",
    false,
  );
});

/** Resolves once the mocks answered the registrations of `made` (a test must not end before). */
async function registered(made: unknown): Promise<void> {
  const outputs = made instanceof Task ? [made.bid.id, made.sshKey?.id] : [(made as pulumi.CustomResource).id];
  await Promise.all(outputs.map((o) => o && new Promise((resolve) => o.apply(resolve))));
}

/** How many stack traces with at least one frame were formatted while `fn` ran. */
function tracesFormatted(fn: () => void): number {
  const previous = Error.prepareStackTrace;
  let formatted = 0;
  Error.prepareStackTrace = (error, frames) => {
    if (frames.length > 0) formatted += 1;
    return previous ? previous(error, frames) : `${String(error)}\n${frames.map((f) => `    at ${String(f)}`).join("\n")}`;
  };
  try {
    fn();
  } finally {
    Error.prepareStackTrace = previous;
  }
  return formatted;
}

const constructors: [string, number, (name: string) => unknown][] = [
  ["SpotBid", 1, (n) => new SpotBid(n, { instanceType: "a100", limitPrice: 5, region: "us-central1-a" })],
  ["SshKey", 1, (n) => new SshKey(n)],
  ["Volume", 1, (n) => new Volume(n, { sizeGb: 10, interface: "file", region: "us-central1-a" })],
  ["ClusterBootstrap", 1, (n) => new ClusterBootstrap(n, { bidId: "bid_1", privateKey: "not a key", code: null, secretEnv: null } as never)],
  // A component, its SshKey and its SpotBid.
  ["Task", 3, (n) => new Task(n, { instanceType: "a100", maxPricePerHour: 5, region: "us-central1-a", shell: "echo hi", uploadCode: false })],
];

describe.each(constructors)("%s", (_kind, resources, make) => {
  const saved = process.env.PULUMI_DEBUG_PROMISE_LEAKS;
  afterEach(() => {
    if (saved === undefined) delete process.env.PULUMI_DEBUG_PROMISE_LEAKS;
    else process.env.PULUMI_DEBUG_PROMISE_LEAKS = saved;
  });

  it("formats only its source position's stack trace, and leaves Error.stackTraceLimit as it was", async () => {
    delete process.env.PULUMI_DEBUG_PROMISE_LEAKS;
    const limit = Error.stackTraceLimit;
    let made: unknown;
    const formatted = tracesFormatted(() => (made = make(`quiet-${_kind}`)));
    expect(formatted).toBeLessThanOrEqual(resources);
    expect(Error.stackTraceLimit).toBe(limit);
    await registered(made);
  });

  it("keeps every promise's stack trace when PULUMI_DEBUG_PROMISE_LEAKS asks for them", async () => {
    process.env.PULUMI_DEBUG_PROMISE_LEAKS = "1";
    let made: unknown;
    expect(tracesFormatted(() => (made = make(`debug-${_kind}`)))).toBeGreaterThan(10 * resources);
    await registered(made);
  });
});

test("the restore function puts back whatever limit was set", () => {
  const limit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = 42;
    const restore = skipPromiseStackTraces({});
    expect(Error.stackTraceLimit).toBe(0);
    restore();
    expect(Error.stackTraceLimit).toBe(42);
    skipPromiseStackTraces({ PULUMI_DEBUG_PROMISE_LEAKS: "1" })();
    expect(Error.stackTraceLimit).toBe(42);
  } finally {
    Error.stackTraceLimit = limit;
  }
});
