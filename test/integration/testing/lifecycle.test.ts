// One engine through a stack's life: create, no-op, preview, replace (both orders), removal,
// ignoreChanges, retainOnDelete, protect, destroy. Tests run in order on the same state, as a
// user's successive `pulumi up`s would (one plugin process for the whole file).
import * as pulumi from "@pulumi/pulumi";
import { DeploymentError, isUnknown, type OperationResult, type ResourceOp } from "../../../src/testing";
import { sandbox, steps } from "../../fixtures/testing/harness";
import { Group, Thing } from "../../fixtures/testing/resources";

// Plugins start in a second or two each; a loaded machine needs more than Jest's default 5 s.
jest.setTimeout(120_000);

interface Shape {
  aZone: string;
  bSize: number;
  withBC: boolean;
  dZone: string;
  eZone: string;
  iSize: number;
  withR: boolean;
  withP: boolean;
  protectP: boolean;
}

const initial: Shape = {
  aZone: "z1",
  bSize: 2,
  withBC: true,
  dZone: "z1",
  eZone: "z1",
  iSize: 1,
  withR: true,
  withP: false,
  protectP: true,
};

function program(shape: Shape) {
  return async () => {
    const a = new Thing("a", { size: 1, zone: shape.aZone });
    const outputs: Record<string, unknown> = { aSerial: a.serial };
    if (shape.withBC) {
      const b = new Thing("b", { size: shape.bSize, zone: "z1", upstream: a.serial });
      const c = new Thing("c", { size: 3, zone: "z1" }, { dependsOn: [b] });
      outputs.bRevision = b.revision;
      outputs.cSerial = c.serial;
    }
    new Thing("d", { size: 1, zone: shape.dZone }, { deleteBeforeReplace: true });
    new Thing("e", { size: 1, zone: shape.eZone, dbrFromProvider: true });
    new Thing("i", { size: shape.iSize, zone: "z1" }, { ignoreChanges: ["size"] });
    if (shape.withR) {
      new Thing("r", { size: 1, zone: "z1" }, { retainOnDelete: true });
    }
    if (shape.withP) {
      new Thing("p", { size: 1, zone: "z1" }, { protect: shape.protectP });
    }
    new Group("g", { sizes: [1, 2] });
    outputs.dryRun = pulumi.runtime.isDryRun();
    return outputs;
  };
}

const urn = (name: string): string => `urn:pulumi:test::fixture::pulumi-nodejs:dynamic/fixture:Thing::${name}`;

function opOf(result: OperationResult, name: string): ResourceOp {
  const op = result.ops.find((o) => o.name === name);
  if (!op) {
    throw new Error(`no op for ${name} in ${result.ops.map((o) => o.name).join(", ")}`);
  }
  return op;
}

describe("LocalEngine lifecycle (one engine, successive runs)", () => {
  const s = sandbox();
  let shape = initial;
  afterAll(() => s.engine.close());

  test("up creates every resource, each after the resources it depends on", async () => {
    const result = await s.engine.up(program(shape));

    // Stack + a, b, c, d, e, i, r + the group and its two children.
    expect(result.summary).toEqual({ create: 11, update: 0, replace: 0, delete: 0, same: 0 });
    expect(result.ops.every((o) => o.status === "done")).toBe(true);
    const order = steps(s.journal());
    expect(order.indexOf("create a")).toBeLessThan(order.indexOf("create b"));
    expect(order.indexOf("create b")).toBeLessThan(order.indexOf("create c"));
    expect(order.filter((x) => x.startsWith("create"))).toHaveLength(9);
    expect(result.outputs.aSerial).toEqual({ value: expect.any(Number), secret: false });
    expect(result.outputs.bRevision).toEqual({ value: 1, secret: false });
    expect(result.outputs.dryRun).toEqual({ value: false, secret: false });

    const state = await s.engine.resources();
    const b = state.find((r) => r.urn === urn("b"));
    const c = state.find((r) => r.urn === urn("c"));
    expect(b?.propertyDependencies.upstream).toEqual([urn("a")]);
    expect(b?.dependencies).toContain(urn("a"));
    expect(c?.dependencies).toEqual([urn("b")]);
    expect(typeof b?.inputs.__provider).toBe("string");
    expect(typeof b?.outputs.__provider).toBe("string");
    const group = state.find((r) => r.type === "fixture:index:Group");
    expect(group).toMatchObject({ custom: false, outputs: { count: 2 } });
    const child = state.find((r) => r.name === "g-thing-0");
    expect(child?.urn).toBe("urn:pulumi:test::fixture::fixture:index:Group$pulumi-nodejs:dynamic/fixture:Thing::g-thing-0");
    expect(child?.parent).toBe(group?.urn);
    // The state file lists every resource after the ones it depends on.
    const urns = state.map((r) => r.urn);
    expect(urns.indexOf(urn("a"))).toBeLessThan(urns.indexOf(urn("b")));
    expect(urns.indexOf(group?.urn ?? "")).toBeLessThan(urns.indexOf(child?.urn ?? ""));
  });

  test("up again with the same program changes nothing and calls no provider write", async () => {
    s.mark();
    const result = await s.engine.up(program(shape));
    expect(result.summary).toEqual({ create: 0, update: 0, replace: 0, delete: 0, same: 11 });
    expect(s.sinceMark()).toEqual([]);
  });

  test("preview reports an update with its changed keys, calls no create or update, and leaves outputs unknown", async () => {
    s.mark();
    const result = await s.engine.preview(program({ ...shape, bSize: 5 }));
    expect(opOf(result, "b")).toMatchObject({ op: "update", status: "planned", changedKeys: ["size"], replaceKeys: [] });
    expect(opOf(result, "a").op).toBe("same");
    expect(s.sinceMark()).toEqual([]);
    expect(isUnknown(result.outputs.bRevision.value)).toBe(true);
    expect(result.outputs.dryRun.value).toBe(true);
    // Nothing was written: the next up still sees the old size.
    expect((await s.engine.resources()).find((r) => r.urn === urn("b"))?.inputs.size).toBe(2);
  });

  test("an update goes through the provider; ignoreChanges keeps a changed input from causing one", async () => {
    s.mark();
    shape = { ...shape, bSize: 5, iSize: 9 };
    const result = await s.engine.up(program(shape));
    expect(opOf(result, "b")).toMatchObject({ op: "update", status: "done", changedKeys: ["size"] });
    expect(opOf(result, "i").op).toBe("same");
    expect(steps(s.sinceMark())).toEqual(["update b"]);
    expect(result.outputs.bRevision.value).toBe(2);
    expect((await s.engine.resources()).find((r) => r.urn === urn("i"))?.inputs.size).toBe(1);
  });

  test("a replace creates the new resource before deleting the old one, and dependents update in between", async () => {
    const oldA = s.journal().find((e) => e.op === "create" && e.label === "a")?.id;
    s.mark();
    shape = { ...shape, aZone: "z2" };
    const result = await s.engine.up(program(shape));
    expect(opOf(result, "a")).toMatchObject({ op: "replace", replaceKeys: ["zone"], deleteBeforeReplace: false });
    expect(opOf(result, "b")).toMatchObject({ op: "update", changedKeys: ["upstream"] });
    expect(opOf(result, "c").op).toBe("same");
    const journal = s.sinceMark();
    expect(steps(journal)).toEqual(["create a", "update b", "delete a"]);
    expect(journal[2].id).toBe(oldA);
    expect(journal[0].id).not.toBe(oldA);
    expect(result.summary.replace).toBe(1);
    const state = await s.engine.resources();
    expect(state.filter((r) => r.urn === urn("a"))).toHaveLength(1);
  });

  test("deleteBeforeReplace, from the resource option or the provider's diff, deletes the old resource first", async () => {
    s.mark();
    shape = { ...shape, dZone: "z2", eZone: "z2" };
    const result = await s.engine.up(program(shape));
    expect(opOf(result, "d")).toMatchObject({ op: "replace", deleteBeforeReplace: true });
    expect(opOf(result, "e")).toMatchObject({ op: "replace", deleteBeforeReplace: true });
    const order = steps(s.sinceMark());
    expect(order).toHaveLength(4);
    expect(order.indexOf("delete d")).toBeLessThan(order.indexOf("create d"));
    expect(order.indexOf("delete e")).toBeLessThan(order.indexOf("create e"));
  });

  test("resources removed from the program are deleted, dependents first; retainOnDelete leaves the real one alone", async () => {
    const retainedId = (await s.engine.resources()).find((r) => r.urn === urn("r"))?.id as string;
    s.mark();
    shape = { ...shape, withBC: false, withR: false };
    const result = await s.engine.up(program(shape));
    expect(result.summary.delete).toBe(3);
    expect(steps(s.sinceMark())).toEqual(["delete c", "delete b"]);
    expect(opOf(result, "r")).toMatchObject({ op: "delete", status: "done" });
    expect(s.items()[retainedId]).toBeDefined();
    const urns = (await s.engine.resources()).map((r) => r.urn);
    expect(urns).not.toContain(urn("b"));
    expect(urns).not.toContain(urn("r"));
    expect(result.outputs.bRevision).toBeUndefined();
  });

  test("a protected resource removed from the program fails up (and destroy) before anything is deleted", async () => {
    shape = { ...shape, withP: true, protectP: true };
    await s.engine.up(program(shape));
    s.mark();

    const removal = s.engine.up(program({ ...shape, withP: false }));
    await expect(removal).rejects.toThrow(DeploymentError);
    await expect(removal).rejects.toThrow(/delete of urn:pulumi:test::fixture::pulumi-nodejs:dynamic\/fixture:Thing::p failed: .*protect/);
    await expect(s.engine.destroy()).rejects.toThrow(/destroy stopped before deleting anything[\s\S]*::p failed: .*protected/);
    expect(s.sinceMark()).toEqual([]);
    expect((await s.engine.resources()).map((r) => r.urn)).toContain(urn("p"));

    // The way out: unprotect in the program, then remove.
    shape = { ...shape, protectP: false };
    await s.engine.up(program(shape));
    shape = { ...shape, withP: false };
    await s.engine.up(program(shape));
    expect(steps(s.sinceMark())).toEqual(["delete p"]);
  });

  test("destroy deletes everything, children and dependents first, and empties the state", async () => {
    s.mark();
    const result = await s.engine.destroy();
    const deletes = steps(s.sinceMark());
    expect(deletes.sort()).toEqual(["delete a", "delete d", "delete e", "delete g-thing-0", "delete g-thing-1", "delete i"]);
    const order = result.ops.map((o) => o.name);
    expect(order.indexOf("g-thing-0")).toBeLessThan(order.indexOf("g"));
    expect(order[order.length - 1]).toBe("fixture-test");
    expect(await s.engine.resources()).toEqual([]);
  });
});
