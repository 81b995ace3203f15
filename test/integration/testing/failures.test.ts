// Failing runs: initialization failures kept in state and retried, failed creates, failed
// checks, failing programs. Each error names the URN and the operation.
import { sandbox, steps } from "../../fixtures/testing/harness";
import { Thing, type ThingArgs } from "../../fixtures/testing/resources";
import { expectDeploymentFailure as failure } from "../../fixtures/expect-failure";

// Plugins start in a second or two each; a loaded machine needs more than Jest's default 5 s.
jest.setTimeout(120_000);

const urn = (name: string): string => `urn:pulumi:test::fixture::pulumi-nodejs:dynamic/fixture:Thing::${name}`;


describe("LocalEngine failures (one engine, successive runs)", () => {
  const s = sandbox();
  afterAll(() => s.engine.close());

  const one = (name: string, args: Partial<ThingArgs>) => async () => {
    new Thing("steady", { size: 1, zone: "z1" });
    new Thing(name, { size: 1, zone: "z1", ...args });
  };

  test("an initialization failure keeps the resource in state, marked failed, and fails the run", async () => {
    const err = await failure(s.engine.up(one("flaky", { failInit: true })));
    expect(err.message).toMatch(
      /create of urn:pulumi:test::fixture::pulumi-nodejs:dynamic\/fixture:Thing::flaky failed: flaky was created as thing-\d+ but did not become ready/,
    );
    expect(err.errors).toHaveLength(1);
    expect(err.result.ops.find((o) => o.name === "flaky")).toMatchObject({ op: "create", status: "failed" });
    const flaky = (await s.engine.resources()).find((r) => r.urn === urn("flaky"));
    expect(flaky?.id).toMatch(/^thing-\d+$/);
    expect(flaky?.initErrors).toEqual(["did not become ready"]);
    expect(s.items()[flaky?.id as string]).toBeDefined();
  });

  test("the next up retries the failed resource through Update, as the CLI does", async () => {
    s.mark();
    const result = await s.engine.up(one("flaky", { failInit: true }));
    expect(result.ops.find((o) => o.name === "flaky")).toMatchObject({ op: "update", status: "done", changedKeys: [] });
    expect(steps(s.sinceMark())).toEqual(["update flaky"]);
    expect((await s.engine.resources()).find((r) => r.urn === urn("flaky"))?.initErrors).toBeUndefined();
  });

  test("a failed create leaves nothing behind and skips the resources that depend on it", async () => {
    s.mark();
    const err = await failure(
      s.engine.up(async () => {
        new Thing("steady", { size: 1, zone: "z1" });
        new Thing("flaky", { size: 1, zone: "z1", failInit: true });
        const broken = new Thing("broken", { size: 1, zone: "z1", failCreate: true });
        new Thing("after", { size: 1, zone: "z1", upstream: broken.serial });
      }),
    );
    expect(err.message).toMatch(/up failed[\s\S]*create of .*::broken failed: create refused for broken: failCreate is set/);
    expect(err.result.ops.find((o) => o.name === "after")).toMatchObject({ status: "skipped" });
    expect(s.sinceMark().map((e) => e.label)).not.toContain("after");
    const urns = (await s.engine.resources()).map((r) => r.urn);
    expect(urns).not.toContain(urn("broken"));
    expect(urns).not.toContain(urn("after"));
  });

  test("a failed check stops up before any change, naming the property", async () => {
    s.mark();
    const err = await failure(s.engine.up(one("negative", { size: -1 })));
    expect(err.message).toMatch(/^up stopped before making any change/);
    expect(err.message).toMatch(/check of .*::negative failed: size: size must be a non-negative integer, got -1/);
    expect(err.result.ops.every((o) => o.status !== "done")).toBe(true);
    expect(s.sinceMark()).toEqual([]);
  });

  test("a program that throws fails the run and deletes nothing", async () => {
    s.mark();
    const err = await failure(
      s.engine.up(async () => {
        throw new Error("boom");
      }),
    );
    expect(err.message).toMatch(/the program failed: boom/);
    expect(s.sinceMark()).toEqual([]);
    expect((await s.engine.resources()).map((r) => r.urn)).toContain(urn("steady"));
  });

  test("an initialization failure whose properties lack __provider cannot be deleted until an update repairs it, as under the CLI", async () => {
    await failure(s.engine.up(one("orphanish", { failInit: "without-provider" })));
    const stored = (await s.engine.resources()).find((r) => r.urn === urn("orphanish"));
    expect(stored?.outputs.__provider).toBeUndefined();

    // Delete reads `__provider` from the outputs in state, which the failure did not carry.
    const err = await failure(s.engine.destroy());
    expect(err.message).toMatch(/destroy failed[\s\S]*delete of .*::orphanish failed: .*code must be a string/);

    // An update writes outputs that include `__provider`; then the resource can go.
    await s.engine.up(one("orphanish", { failInit: "without-provider" }));
    s.mark();
    await s.engine.destroy();
    expect(steps(s.sinceMark())).toContain("delete orphanish");
    expect(await s.engine.resources()).toEqual([]);
  });
});

describe("LocalEngine after the provider plugin died", () => {
  const s = sandbox();
  afterAll(() => s.engine.close());

  // Regression: the error said "Connection dropped", because the dropped connection arrived before the exit.
  test("a provider that exits fails the create, saying the plugin exited; the next run starts a new plugin", async () => {
    const err = await failure(
      s.engine.up(async () => {
        new Thing("doomed", { size: 1, exitInCreate: true });
      }),
    );
    expect(err.message).toMatch(/create of .*::doomed failed: the dynamic provider plugin exited with code 3/);
    const result = await s.engine.up(async () => {
      new Thing("doomed", { size: 1 });
    });
    expect(result.ops.find((o) => o.name === "doomed")).toMatchObject({ op: "create", status: "done" });
  });
});
