import { maxInstancesPerBid } from "../../../policy-pack/guardrails";
import { SPOT_BID_TYPE, TASK_TYPE } from "../../../policy-pack/lib";
import { ABSENT, expectCannotEvaluate, resourceArgs, runResourcePolicy, UNKNOWN_VALUE } from "./harness";

const run = (overrides: Record<string, unknown>, config: object = {}) =>
  runResourcePolicy(maxInstancesPerBid, resourceArgs(SPOT_BID_TYPE, overrides, config));

describe("max-instances-per-bid", () => {
  it.each([1, 2, 8])("allows %p instances under the default maximum of 8", async (instanceQuantity) => {
    expect(await run({ instanceQuantity })).toEqual([]);
  });

  it("allows a bid that leaves the quantity at its default of 1", async () => {
    expect(await run({ instanceQuantity: ABSENT }, { maxInstances: 1 })).toEqual([]);
  });

  it("reports a bid above the default maximum with the count and the limit", async () => {
    expect(await run({ instanceQuantity: 9 })).toEqual([
      'SpotBid "train-bid" requests 9 instances, more than the 8 allowed per bid (maxInstances). ' +
        "Lower instanceQuantity (numInstances on a Task), or raise the limit in the policy config.",
    ]);
  });

  it.each([
    [2, 2, 0],
    [2, 3, 1],
    [64, 64, 0],
  ])("with maxInstances %p judges %p instances (%p violations)", async (maxInstances, instanceQuantity, violations) => {
    expect(await run({ instanceQuantity }, { maxInstances })).toHaveLength(violations);
  });

  it.each([0, -1, 2.5, "4"])("reports the invalid quantity %p", async (instanceQuantity) => {
    const [message] = await run({ instanceQuantity });
    expect(message).toMatch(/instanceQuantity must be a whole number of at least 1; at most 8 are allowed/);
  });

  it("cannot evaluate an unknown quantity", async () => {
    const message = await expectCannotEvaluate(() => run({ instanceQuantity: UNKNOWN_VALUE }));
    expect(message).toContain('instanceQuantity of SpotBid "train-bid" is not known');
  });

  it("ignores Tasks (their bid carries numInstances as instanceQuantity)", async () => {
    const args = resourceArgs(TASK_TYPE, { numInstances: 100 });
    expect(await runResourcePolicy(maxInstancesPerBid, args)).toEqual([]);
  });

  it.each([[{ maxInstances: 0 }], [{ maxInstances: 1.5 }], [{ maxInstances: "8" }], [{ max: 8 }]])(
    "reports the invalid config %p as a violation",
    async (config) => {
      const [message] = await run({}, config);
      expect(message).toMatch(/^The fcp-guardrails config for policy "max-instances-per-bid" is invalid/);
    },
  );
});
