import { allowedInstanceTypes } from "../../../policy-pack/guardrails";
import { SPOT_BID_TYPE, TASK_TYPE } from "../../../policy-pack/lib";
import { ABSENT, expectCannotEvaluate, resourceArgs, runResourcePolicy, UNKNOWN_VALUE } from "./harness";

const run = (overrides: Record<string, unknown>, config: object) =>
  runResourcePolicy(allowedInstanceTypes, resourceArgs(SPOT_BID_TYPE, overrides, config));

describe("allowed-instance-types", () => {
  it("allows every type when the list is empty (the default)", async () => {
    expect(await run({ instanceType: "8xh100" }, {})).toEqual([]);
    expect(await run({ instanceType: "it_SomethingNew" }, { instanceTypes: [] })).toEqual([]);
  });

  describe.each([
    // [entry, spellings it allows, spellings it does not]
    ["a100", ["a100", "1xa100", "a100-80gb.sxm.1x", "it_MsIRhxj3ccyVWGfP"], ["2xa100", "8xh100", "h100-80gb.pcie.1x"]],
    ["8xh100", ["h100", "8xh100", "h100-80gb.sxm.8x", "it_5ECSoHQjLBzrp5YM"], ["h100-80gb.pcie.1x", "8xa100"]],
    ["it_XqgKWbhZ5gznAYsG", ["h100-80gb.pcie.1x"], ["h100", "1xa100"]],
    ["a100-80gb.*", ["a100", "2xa100", "it_J7OyNf9idfImLIFo", "a100-80gb.pcie.2x"], ["h100", "it_NotInTable"]],
    ["h100-*", ["8xh100", "h100-80gb.pcie.1x"], ["a100"]],
    ["4xl40s", ["4xl40s", "l40s-48gb.pcie.4x"], ["2xl40s", "l40s-48gb.pcie.2x"]],
    ["it_NotInTable", ["it_NotInTable"], ["it_OtherFid", "a100"]],
  ])("entry %p", (entry, allowed, denied) => {
    it.each(allowed)("allows %p", async (instanceType) => {
      expect(await run({ instanceType }, { instanceTypes: [entry] })).toEqual([]);
    });
    it.each(denied)("reports %p", async (instanceType) => {
      const [message] = await run({ instanceType }, { instanceTypes: [entry] });
      expect(message).toMatch(new RegExp(`^SpotBid "train-bid" uses instance type .*which is not among the allowed instance types \\(${entry.replace(/[.*]/g, "\\$&")}\\)`));
    });
  });

  it("names the canonical type, and lists the allowed ones", async () => {
    const [message] = await run({ instanceType: "8xa100" }, { instanceTypes: ["a100", "2xa100"] });
    expect(message).toBe(
      'SpotBid "train-bid" uses instance type 8xa100 (a100-80gb.sxm.8x), which is not among the allowed instance types ' +
        "(a100, 2xa100). Choose an allowed type, or add it to instanceTypes in the policy config.",
    );
  });

  it("says how to allow a FID it cannot name offline", async () => {
    const [message] = await run({ instanceType: "it_NotInTable" }, { instanceTypes: ["a100"] });
    expect(message).toMatch(/cannot name this FID offline; add the FID itself to instanceTypes/);
  });

  it("judges the resolved instanceTypeName output over the FID input", async () => {
    const over = { instanceType: "it_NotInTable", instanceTypeName: "a100-80gb.sxm.1x" };
    expect(await run(over, { instanceTypes: ["a100"] })).toEqual([]);
  });

  it("reports a spelling the provider does not accept", async () => {
    const [message] = await run({ instanceType: "A100" }, { instanceTypes: ["a100"] });
    expect(message).toMatch(/has instanceType "A100", which is not a valid instance type \(.*"a100".*\); allowed: a100\./);
  });

  it("reports a bid without an instance type", async () => {
    const [message] = await run({ instanceType: ABSENT }, { instanceTypes: ["a100"] });
    expect(message).toMatch(/sets no instanceType/);
  });

  it("cannot evaluate an unknown instance type", async () => {
    const message = await expectCannotEvaluate(() => run({ instanceType: UNKNOWN_VALUE }, { instanceTypes: ["a100"] }));
    expect(message).toContain('instanceType of SpotBid "train-bid" is not known during preview');
  });

  it("does not even read the instance type when every type is allowed", async () => {
    expect(await run({ instanceType: UNKNOWN_VALUE }, {})).toEqual([]);
  });

  it("ignores Tasks (their bid carries the resolved type)", async () => {
    const args = resourceArgs(TASK_TYPE, { instanceType: "8xa100" }, { instanceTypes: ["a100"] });
    expect(await runResourcePolicy(allowedInstanceTypes, args)).toEqual([]);
  });

  it.each([
    [{ instanceTypes: ["A100"] }, /instanceTypes\.0: Unsupported instance type "A100": write "a100"/],
    [{ instanceTypes: "a100" }, /instanceTypes/],
    [{ instanceTypes: [""] }, /instanceTypes\.0/],
    [{ types: ["a100"] }, /Unrecognized key/],
  ])("reports the invalid config %p as a violation", async (config, expected) => {
    const [message] = await run({}, config);
    expect(message).toMatch(/^The fcp-guardrails config for policy "allowed-instance-types" is invalid/);
    expect(message).toMatch(expected);
  });
});
