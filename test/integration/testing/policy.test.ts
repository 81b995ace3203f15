// Policy packs run in the real @pulumi/policy analyzer: Analyze per resource and AnalyzeStack
// on the whole stack, in preview and up. Mandatory violations stop up before any change.
import { POLICY_PACK_DIR, sandbox } from "../../fixtures/testing/harness";
import { Thing } from "../../fixtures/testing/resources";
import { expectDeploymentFailure as failure } from "../../fixtures/expect-failure";

// Plugins start in a second or two each; a loaded machine needs more than Jest's default 5 s.
jest.setTimeout(120_000);

const urn = (name: string): string => `urn:pulumi:test::fixture::pulumi-nodejs:dynamic/fixture:Thing::${name}`;


describe("LocalEngine with a policy pack at its declared levels", () => {
  const s = sandbox({ policyPacks: [POLICY_PACK_DIR] });
  afterAll(() => s.engine.close());

  test("a mandatory violation fails preview and stops up before any change", async () => {
    const program = async () => {
      new Thing("small", { size: 1, zone: "z1" });
      new Thing("huge", { size: 200, zone: "z1" });
    };
    const previewErr = await failure(s.engine.preview(program));
    expect(previewErr.message).toMatch(/^preview failed/);

    const err = await failure(s.engine.up(program));
    expect(err.message).toMatch(/^up stopped before making any change/);
    expect(err.message).toContain(
      `mandatory policy violation: fixture-policies/no-huge-things on ${urn("huge")}: Checks whether a Thing's size is at most 100. A Thing's size must be at most 100; huge has size 200.`,
    );
    expect(err.result.policyViolations).toContainEqual({
      policyName: "no-huge-things",
      packName: "fixture-policies",
      packVersion: "0.0.1",
      enforcementLevel: "mandatory",
      urn: urn("huge"),
      message: expect.stringMatching(/huge has size 200/),
    });
    expect(s.journal()).toEqual([]);
    expect(await s.engine.resources()).toEqual([]);
  });

  test("advisory violations, per resource and stack-wide, are reported and let up through", async () => {
    const result = await s.engine.up(async () => {
      new Thing("zoneless", { size: 1 });
      for (let i = 0; i < 5; i++) {
        new Thing(`t${i}`, { size: 1, zone: "z1" });
      }
    });
    expect(result.summary.create).toBe(7);
    expect(result.policyViolations).toEqual([
      expect.objectContaining({
        policyName: "things-have-zone",
        enforcementLevel: "advisory",
        urn: urn("zoneless"),
        message: expect.stringMatching(/zoneless names none/),
      }),
      expect.objectContaining({
        policyName: "few-things",
        enforcementLevel: "advisory",
        message: expect.stringMatching(/at most 5 Things; this one holds 6/),
      }),
    ]);
    expect(result.policyViolations[1].urn).toBeUndefined();
  });
});

describe("LocalEngine with policy pack config", () => {
  const s = sandbox({
    policyPacks: [POLICY_PACK_DIR],
    policyPackConfig: {
      [POLICY_PACK_DIR]: {
        "no-huge-things": "advisory",
        "few-things": { enforcementLevel: "mandatory", maxThings: 1 },
      },
    },
  });
  afterAll(() => s.engine.close());

  test("config changes enforcement levels and policy properties, stack policies included", async () => {
    const err = await failure(
      s.engine.up(async () => {
        new Thing("huge", { size: 200, zone: "z1" });
        new Thing("other", { size: 1, zone: "z1" });
      }),
    );
    expect(err.message).toMatch(/^up stopped before making any change/);
    expect(err.message).toMatch(/mandatory policy violation: fixture-policies\/few-things: .*at most 1 Things; this one holds 2/);
    expect(err.result.policyViolations).toContainEqual(
      expect.objectContaining({ policyName: "no-huge-things", enforcementLevel: "advisory", urn: urn("huge") }),
    );
    expect(s.journal()).toEqual([]);
  });
});
