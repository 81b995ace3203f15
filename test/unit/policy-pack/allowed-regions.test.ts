import { allowedRegions } from "../../../policy-pack/guardrails";
import { SPOT_BID_TYPE, SSH_KEY_TYPE, TASK_TYPE, VOLUME_TYPE } from "../../../policy-pack/lib";
import { ABSENT, expectCannotEvaluate, resourceArgs, runResourcePolicy, UNKNOWN_VALUE } from "./harness";

const config = { regions: ["us-central1-a", "us-central1-b"] };

describe.each([SPOT_BID_TYPE, VOLUME_TYPE])("allowed-regions on %s", (type) => {
  const run = (overrides: Record<string, unknown>, cfg: object = config) =>
    runResourcePolicy(allowedRegions, resourceArgs(type, overrides, cfg));
  const who = type === SPOT_BID_TYPE ? 'SpotBid "train-bid"' : 'Volume "data"';

  it("allows every region when the list is empty (the default)", async () => {
    expect(await run({ region: "eu-central1-a" }, {})).toEqual([]);
    expect(await run({ region: ABSENT }, { regions: [] })).toEqual([]);
  });

  it.each(["us-central1-a", "us-central1-b"])("allows the listed region %p", async (region) => {
    expect(await run({ region })).toEqual([]);
  });

  it("reports a region outside the list, with the region and the list", async () => {
    expect(await run({ region: "eu-central1-a" })).toEqual([
      `${who} is placed in region "eu-central1-a", which is not among the allowed regions (us-central1-a, us-central1-b). ` +
        "Choose an allowed region, or add it to regions in the policy config.",
    ]);
  });

  it("reports a resource that leaves its region to the provider default", async () => {
    const [message] = await run({ region: ABSENT });
    expect(message).toMatch(new RegExp(`^${who} sets no region, so it lands in the provider's default region \\(fcp:region\\)`));
  });

  it("reports a region that is not a string", async () => {
    const [message] = await run({ region: 42 });
    expect(message).toMatch(/has region 42, which is not a region name/);
  });

  it("cannot evaluate an unknown region", async () => {
    const message = await expectCannotEvaluate(() => run({ region: UNKNOWN_VALUE }));
    expect(message).toContain(`region of ${who} is not known during preview`);
  });
});

describe("allowed-regions", () => {
  it.each([TASK_TYPE, SSH_KEY_TYPE])("ignores %s", async (type) => {
    const args = resourceArgs(type, { region: "eu-central1-a" }, config);
    expect(await runResourcePolicy(allowedRegions, args)).toEqual([]);
  });

  it.each([
    [{ regions: "us-central1-a" }, /regions/],
    [{ regions: [""] }, /regions\.0/],
    [{ region: ["us-central1-a"] }, /Unrecognized key/],
  ])("reports the invalid config %p as a violation", async (cfg, expected) => {
    const [message] = await runResourcePolicy(allowedRegions, resourceArgs(SPOT_BID_TYPE, {}, cfg));
    expect(message).toMatch(/^The fcp-guardrails config for policy "allowed-regions" is invalid/);
    expect(message).toMatch(expected);
  });
});
