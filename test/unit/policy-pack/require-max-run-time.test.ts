import { requireMaxRunTime } from "../../../policy-pack/guardrails";
import { SPOT_BID_TYPE, TASK_TYPE } from "../../../policy-pack/lib";
import { ABSENT, expectCannotEvaluate, resourceArgs, runResourcePolicy, UNKNOWN_VALUE } from "./harness";

const run = (overrides: Record<string, unknown>, config: object = {}) =>
  runResourcePolicy(requireMaxRunTime, resourceArgs(TASK_TYPE, overrides, config));

describe("require-max-run-time", () => {
  it.each([0.5, 24, 72])("allows maxRunTimeHours %p under the default cap of 72", async (maxRunTimeHours) => {
    expect(await run({ maxRunTimeHours })).toEqual([]);
  });

  it("reports a Task without maxRunTimeHours", async () => {
    expect(await run({ maxRunTimeHours: ABSENT })).toEqual([
      'Task "train" sets no maxRunTimeHours, so its instances run (and bill) until someone stops them; ' +
        "set maxRunTimeHours to at most 72.",
    ]);
  });

  it("reports a Task above the cap with its value and the cap", async () => {
    expect(await run({ maxRunTimeHours: 100 })).toEqual([
      'Task "train" sets maxRunTimeHours to 100, above the cap of 72 hours (maxRunTimeHours). ' +
        "Lower it, or raise the cap in the policy config.",
    ]);
  });

  it.each([
    [12, 12, 0],
    [12, 12.5, 1],
    [168, 168, 0],
  ])("with a cap of %p judges %p hours (%p violations)", async (cap, maxRunTimeHours, violations) => {
    expect(await run({ maxRunTimeHours }, { maxRunTimeHours: cap })).toHaveLength(violations);
  });

  it.each([0, -3, "24"])("reports the invalid value %p", async (maxRunTimeHours) => {
    const [message] = await run({ maxRunTimeHours });
    expect(message).toMatch(/maxRunTimeHours must be a number greater than 0; the cap is 72 hours/);
  });

  it("cannot evaluate an unknown maxRunTimeHours", async () => {
    const message = await expectCannotEvaluate(() => run({ maxRunTimeHours: UNKNOWN_VALUE }));
    expect(message).toContain('maxRunTimeHours of Task "train" is not known');
  });

  it("ignores spot bids", async () => {
    expect(await runResourcePolicy(requireMaxRunTime, resourceArgs(SPOT_BID_TYPE))).toEqual([]);
  });

  it.each([[{ maxRunTimeHours: 0 }], [{ maxRunTimeHours: 169 }], [{ maxHours: 10 }]])(
    "reports the invalid config %p as a violation",
    async (config) => {
      const [message] = await run({}, config);
      expect(message).toMatch(/^The fcp-guardrails config for policy "require-max-run-time" is invalid/);
    },
  );
});
