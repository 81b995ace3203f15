import { maxPricePerHour } from "../../../policy-pack/guardrails";
import { SPOT_BID_TYPE, TASK_TYPE } from "../../../policy-pack/lib";
import { ABSENT, expectCannotEvaluate, resourceArgs, runResourcePolicy, UNKNOWN_VALUE } from "./harness";

const run = (overrides: Record<string, unknown> = {}, config: object = {}) =>
  runResourcePolicy(maxPricePerHour, resourceArgs(SPOT_BID_TYPE, overrides, config));

describe("max-price-per-hour", () => {
  it("passes the happy-path bid under the default maximum ($50.00)", async () => {
    expect(await run()).toEqual([]);
  });

  describe.each([25, 12.5, 50, "$25.00", "$25", "$12.5", " $50.00 "])("accepts the price spelling %p", (limitPrice) => {
    it("as within the default maximum", async () => {
      expect(await run({ limitPrice })).toEqual([]);
    });
  });

  it("reports a bid above the default maximum with the resource, its price and the limit", async () => {
    const [message, ...rest] = await run({ limitPrice: 60 });
    expect(rest).toEqual([]);
    expect(message).toMatch(/^SpotBid "train-bid" bids a limit price of \$60\.00 per instance-hour for 8xh100 \(h100-80gb\.sxm\.8x\)/);
    expect(message).toMatch(/above the maximum of \$50\.00 per instance-hour \(maxPricePerHour\)/);
  });

  it.each([
    [{ maxPricePerHour: 20 }, 25, true],
    [{ maxPricePerHour: "$20.00" }, "$20.01", true],
    [{ maxPricePerHour: "$30.00" }, 25, false],
    [{ maxPricePerHour: 30 }, "$30.00", false],
  ])("with config %p judges price %p (violation: %p)", async (config, limitPrice, violates) => {
    const messages = await run({ limitPrice }, config);
    expect(messages).toHaveLength(violates ? 1 : 0);
  });

  describe("maxPricePerGpuHour", () => {
    const config = { maxPricePerHour: 20, maxPricePerGpuHour: { h100: 4.5, a100: "$2.00" } };

    it.each([
      ["8xh100", 36, 36.01, "$4.50 × 8 GPUs"],
      ["h100", 36, 37, "$4.50 × 8 GPUs"],
      ["h100-80gb.sxm.8x", 36, 40, "$4.50 × 8 GPUs"],
      ["it_5ECSoHQjLBzrp5YM", 36, 40, "$4.50 × 8 GPUs"],
      ["h100-80gb.pcie.1x", 4.5, 4.51, "$4.50 × 1 GPU)"],
      ["a100", 2, 2.01, "$2.00 × 1 GPU)"],
      ["4xa100", 8, 8.5, "$2.00 × 4 GPUs"],
      ["it_J7OyNf9idfImLIFo", 16, 16.01, "$2.00 × 8 GPUs"],
    ])("limits %s to %p per instance-hour", async (instanceType, atLimit, above, source) => {
      expect(await run({ instanceType, limitPrice: atLimit }, config)).toEqual([]);
      const [message] = await run({ instanceType, limitPrice: above }, config);
      expect(message).toContain(`maxPricePerGpuHour.${instanceType.includes("a100") || instanceType === "it_J7OyNf9idfImLIFo" ? "a100" : "h100"} ${source}`);
    });

    it("replaces maxPricePerHour for that GPU type, even when higher", async () => {
      expect(await run({ instanceType: "8xh100", limitPrice: 30 }, config)).toEqual([]);
    });

    it("leaves other GPU types under maxPricePerHour", async () => {
      const [message] = await run({ instanceType: "2xh200", limitPrice: 21 }, config);
      expect(message).toMatch(/above the maximum of \$20\.00 per instance-hour \(maxPricePerHour\)/);
    });

    it("uses the resolved instanceTypeName output when the input is a FID the pack cannot name", async () => {
      const over = { instanceType: "it_NotInTheBuiltinTable", instanceTypeName: "h100-80gb.sxm.8x", limitPrice: 30 };
      expect(await run(over, config)).toEqual([]);
      expect(await run({ ...over, instanceTypeName: ABSENT })).toEqual([]);
      expect(await run({ ...over, instanceTypeName: ABSENT }, config)).toHaveLength(1);
    });

    it("passes a price under every possible limit while the instance type is unknown", async () => {
      expect(await run({ instanceType: UNKNOWN_VALUE, limitPrice: 2 }, config)).toEqual([]);
    });

    it("cannot evaluate while the instance type is unknown, since the limit depends on it", async () => {
      const message = await expectCannotEvaluate(() => run({ instanceType: UNKNOWN_VALUE, limitPrice: 30 }, config));
      expect(message).toContain('instanceType of SpotBid "train-bid"');
    });
  });

  it("judges a bid whose instance type is unknown when no per-GPU limit is configured", async () => {
    expect(await run({ instanceType: UNKNOWN_VALUE, limitPrice: 60 })).toHaveLength(1);
    expect(await run({ instanceType: UNKNOWN_VALUE, limitPrice: 25 })).toEqual([]);
  });

  it("cannot evaluate an unknown limit price, and says which", async () => {
    const message = await expectCannotEvaluate(() => run({ limitPrice: UNKNOWN_VALUE }));
    expect(message).toMatch(/limitPrice of SpotBid "train-bid" is not known during preview/);
    expect(message).toMatch(/before the resource is created/);
  });

  it.each([
    ["15 dollars", /has limitPrice "15 dollars", which is not a valid price \(.*dollar string.*\)/],
    [-5, /has limitPrice -5, which is not a valid price/],
    [12.345, /has limitPrice 12\.345, which is not a valid price \(.*cent/],
    ["", /has limitPrice "", which is not a valid price/],
    [true, /has limitPrice true, which is not a valid price/],
  ])("reports the malformed price %p as a violation instead of crashing", async (limitPrice, expected) => {
    const [message] = await run({ limitPrice });
    expect(message).toMatch(expected);
    expect(message).toMatch(/maximum of \$50\.00 per instance-hour/);
  });

  it("reports a bid that sets no limit price", async () => {
    const [message] = await run({ limitPrice: ABSENT });
    expect(message).toMatch(/^SpotBid "train-bid" sets no limitPrice/);
  });

  it("ignores resources that are not spot bids (a Task's bid is checked instead)", async () => {
    const args = resourceArgs(TASK_TYPE, { maxPricePerHour: 500 });
    expect(await runResourcePolicy(maxPricePerHour, args)).toEqual([]);
  });

  it.each([
    [{ maxPricePerHour: "fifty" }, /maxPricePerHour/],
    [{ maxPricePerHour: -1 }, /maxPricePerHour/],
    [{ maxPricePerHour: 12.345 }, /maxPricePerHour: .*cent/],
    [{ maxPrice: 5 }, /Unrecognized key/],
    [{ maxPricePerGpuHour: { H100: 4 } }, /maxPricePerGpuHour/],
  ])("reports the invalid config %p as a violation", async (config, expected) => {
    const [message] = await run({}, config);
    expect(message).toMatch(/^The fcp-guardrails config for policy "max-price-per-hour" is invalid/);
    expect(message).toMatch(expected);
  });
});
