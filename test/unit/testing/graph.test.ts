import { dependencyOrder, forEachInReverseDependencyOrder } from "../../../src/testing/graph";

interface Node {
  urn: string;
  deps: string[];
  tag?: string;
}
const depsOf = (n: Node) => n.deps;

describe("dependencyOrder", () => {
  test("puts each item after its dependencies and otherwise keeps the given order", () => {
    const items: Node[] = [
      { urn: "c", deps: ["b"] },
      { urn: "x", deps: [] },
      { urn: "b", deps: ["a"] },
      { urn: "a", deps: [] },
    ];
    expect(dependencyOrder(items, depsOf).map((n) => n.urn)).toEqual(["a", "b", "c", "x"]);
  });

  test("keeps both copies of a URN (a replaced resource awaiting delete) before their dependents", () => {
    const items: Node[] = [
      { urn: "child", deps: ["a"] },
      { urn: "a", deps: [], tag: "old" },
      { urn: "a", deps: [], tag: "new" },
    ];
    expect(dependencyOrder(items, depsOf).map((n) => `${n.urn}${n.tag ?? ""}`)).toEqual(["aold", "anew", "child"]);
  });

  test("survives a cycle", () => {
    const items: Node[] = [
      { urn: "a", deps: ["b"] },
      { urn: "b", deps: ["a"] },
    ];
    expect(dependencyOrder(items, depsOf)).toHaveLength(2);
  });
});

describe("forEachInReverseDependencyOrder", () => {
  const chain: Node[] = [
    { urn: "a", deps: [] },
    { urn: "b", deps: ["a"] },
    { urn: "c", deps: ["b"] },
    { urn: "d", deps: ["a"] },
  ];

  test("runs dependents before what they depend on", async () => {
    const done: string[] = [];
    const errors = await forEachInReverseDependencyOrder(chain, depsOf, 4, async (n) => {
      done.push(n.urn);
    });
    expect(errors).toEqual([]);
    expect(done.indexOf("c")).toBeLessThan(done.indexOf("b"));
    expect(done.indexOf("b")).toBeLessThan(done.indexOf("a"));
    expect(done.indexOf("d")).toBeLessThan(done.indexOf("a"));
    expect(done).toHaveLength(4);
  });

  test("never runs more than `parallel` at once", async () => {
    const items: Node[] = Array.from({ length: 8 }, (_, i) => ({ urn: `n${i}`, deps: [] }));
    let running = 0;
    let peak = 0;
    await forEachInReverseDependencyOrder(items, depsOf, 3, async () => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise<void>((resolve) => setImmediate(resolve));
      running -= 1;
    });
    expect(peak).toBe(3);
  });

  test("starts nothing new after a failure and never runs what the failed item still blocks", async () => {
    const done: string[] = [];
    const errors = await forEachInReverseDependencyOrder(chain, depsOf, 1, async (n) => {
      if (n.urn === "c") {
        throw new Error("c refused");
      }
      done.push(n.urn);
    });
    expect(errors.map((e) => e.message)).toEqual(["c refused"]);
    // d was ready too, but with one slot it would have started after c failed.
    expect(done).toEqual([]);
  });
});
