// Refresh reads every resource with the state it was left in: drifted outputs are adopted,
// resources that no longer exist are dropped from state.
import { sandbox } from "../../fixtures/testing/harness";
import { Thing } from "../../fixtures/testing/resources";

// Plugins start in a second or two each; a loaded machine needs more than Jest's default 5 s.
jest.setTimeout(120_000);

const urn = (name: string): string => `urn:pulumi:test::fixture::pulumi-nodejs:dynamic/fixture:Thing::${name}`;

describe("LocalEngine refresh", () => {
  const s = sandbox();
  afterAll(() => s.engine.close());
  const program = async () => {
    new Thing("kept", { size: 1, zone: "z1" });
    new Thing("drifted", { size: 2, zone: "z1" });
    new Thing("vanished", { size: 3, zone: "z1" });
  };

  test("adopts drifted outputs, drops resources that are gone, and leaves the rest as they were", async () => {
    await s.engine.up(program);
    const before = await s.engine.resources();
    const idOf = (name: string): string => before.find((r) => r.urn === urn(name))?.id as string;
    s.editItems((items) => {
      items[idOf("drifted")] = { ...items[idOf("drifted")], size: 20, revision: 7 };
      delete items[idOf("vanished")];
    });

    const result = await s.engine.refresh(program);

    const byName = Object.fromEntries(result.ops.map((o) => [o.name, o]));
    expect(byName.kept).toMatchObject({ op: "same", status: "done" });
    expect(byName.drifted).toMatchObject({ op: "update", changedKeys: ["revision", "size"] });
    expect(byName.vanished).toMatchObject({ op: "delete", status: "done" });
    const after = await s.engine.resources();
    expect(after.map((r) => r.urn)).not.toContain(urn("vanished"));
    const drifted = after.find((r) => r.urn === urn("drifted"));
    expect(drifted?.outputs).toMatchObject({ size: 20, revision: 7 });
    // Inputs stay what the program declared; the next up brings the resource back in line.
    expect(drifted?.inputs.size).toBe(2);
    expect(typeof drifted?.outputs.__provider).toBe("string");

    s.mark();
    const up = await s.engine.up(program);
    expect(up.ops.find((o) => o.name === "vanished")).toMatchObject({ op: "create" });
    expect(up.ops.find((o) => o.name === "drifted")).toMatchObject({ op: "update", changedKeys: ["size"] });
    expect(s.sinceMark().map((e) => `${e.op} ${e.label}`).sort()).toEqual(["create vanished", "update drifted"]);
  });
});
