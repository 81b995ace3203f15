// Two engines in one process at the same time: each program runs in its own runtime store,
// talks to its own plugin and writes its own state file.
import { readFileSync } from "node:fs";
import { LocalEngineError } from "../../../src/testing";
import { sandbox, steps } from "../../fixtures/testing/harness";
import { Thing } from "../../fixtures/testing/resources";

// Plugins start in a second or two each; a loaded machine needs more than Jest's default 5 s.
jest.setTimeout(120_000);

describe("two LocalEngines in parallel", () => {
  const blue = sandbox({ stack: "blue" });
  const green = sandbox({ stack: "green" });
  afterAll(() => Promise.all([blue.engine.close(), green.engine.close()]));

  const program = (prefix: string, count: number) => async () => {
    let upstream: Thing | undefined;
    for (let i = 0; i < count; i++) {
      upstream = new Thing(`${prefix}${i}`, { size: i, zone: "z1", upstream: upstream?.serial });
    }
    return { last: upstream?.label };
  };

  test("run up at the same time with separate state files and plugins", async () => {
    const [b, g] = await Promise.all([blue.engine.up(program("b", 4)), green.engine.up(program("g", 3))]);

    expect(b.summary.create).toBe(5);
    expect(g.summary.create).toBe(4);
    expect(b.outputs.last.value).toBe("b3");
    expect(g.outputs.last.value).toBe("g2");
    expect(steps(blue.journal())).toEqual(["create b0", "create b1", "create b2", "create b3"]);
    expect(steps(green.journal())).toEqual(["create g0", "create g1", "create g2"]);
    const blueState = readFileSync(blue.stateFile, "utf8");
    const greenState = readFileSync(green.stateFile, "utf8");
    expect(blueState).toContain("urn:pulumi:blue::fixture::");
    expect(blueState).not.toContain("urn:pulumi:green::");
    expect(greenState).not.toContain("urn:pulumi:blue::");

    const [bd, gd] = await Promise.all([blue.engine.destroy(), green.engine.destroy()]);
    expect(bd.summary.delete).toBe(5);
    expect(gd.summary.delete).toBe(4);
  });

  test("one engine runs one operation at a time", async () => {
    const first = blue.engine.preview(program("b", 1));
    await expect(blue.engine.preview(program("b", 1))).rejects.toThrow(LocalEngineError);
    await first;
  });
});
