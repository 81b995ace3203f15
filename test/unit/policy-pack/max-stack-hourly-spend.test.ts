import { maxStackHourlySpend } from "../../../policy-pack/guardrails";
import { SPOT_BID_TYPE, TASK_TYPE, VOLUME_TYPE } from "../../../policy-pack/lib";
import { ABSENT, expectCannotEvaluate, runStackPolicy, stackArgs, type StackEntry, UNKNOWN_VALUE, urnOf } from "./harness";

const bid = (name: string, limitPrice: unknown, instanceQuantity: unknown = 1, parent?: string): StackEntry => ({
  type: SPOT_BID_TYPE,
  name,
  overrides: { limitPrice, instanceQuantity },
  parent,
});

const run = (entries: StackEntry[], config: object = {}) => runStackPolicy(maxStackHourlySpend, stackArgs(entries, config));

describe("max-stack-hourly-spend", () => {
  it("passes a stack under the default budget ($100.00 per hour)", async () => {
    expect(await run([bid("train", 25, 2), { type: VOLUME_TYPE, name: "data" }])).toEqual([]);
  });

  it("passes a stack exactly at the budget", async () => {
    expect(await run([bid("train", 25, 2), bid("eval", "$50.00")])).toEqual([]);
  });

  it("reports a stack over budget with the total, the budget and the largest contributors", async () => {
    const reported = await run([bid("dev", "$5.50"), bid("train", 25, 4), bid("eval", 10), bid("tiny", 0.5)]);
    expect(reported).toHaveLength(1);
    const { message, urn } = reported[0];
    expect(urn).toBeUndefined();
    expect(message).toMatch(
      /^The stack's spot bids can cost up to \$116\.00 per hour \(limit price × instance quantity over 4 bids\), above the budget of \$100\.00 per hour \(maxSpendPerHour\)\./,
    );
    expect(message).toContain(
      'Largest: SpotBid "train" $100.00 (4 × $25.00), SpotBid "eval" $10.00 (1 × $10.00) and SpotBid "dev" $5.50 (1 × $5.50).',
    );
    expect(message).not.toContain("tiny");
  });

  it("sums in whole cents, so prices that are inexact in binary add up exactly", async () => {
    const tenths = Array.from({ length: 10 }, (_, i) => bid(`b${i}`, 0.1, 1));
    expect(await run(tenths, { maxSpendPerHour: 1 })).toEqual([]);
    expect(await run([...tenths, bid("one-more", 0.01)], { maxSpendPerHour: 1 })).toHaveLength(1);
  });

  it("reports the GitOps change that raises an instance count past the budget", async () => {
    const before = [bid("train", 20, 2), bid("eval", 8)];
    expect(await run(before, { maxSpendPerHour: 60 })).toEqual([]);
    const [after] = await run([bid("train", 20, 4), bid("eval", 8)], { maxSpendPerHour: 60 });
    expect(after.message).toMatch(/can cost up to \$88\.00 per hour .* above the budget of \$60\.00 per hour/);
    expect(after.message).toContain('SpotBid "train" $80.00 (4 × $20.00)');
  });

  it.each([
    [{ maxSpendPerHour: 200 }, 0],
    [{ maxSpendPerHour: "$115.99" }, 1],
    [{ maxSpendPerHour: "$116.00" }, 0],
  ])("honours the budget %p", async (config, violations) => {
    expect(await run([bid("train", 25, 4), bid("eval", 16)], config)).toHaveLength(violations);
  });

  it.each([
    [1, 'Largest: SpotBid "a" $40.00 (1 × $40.00).'],
    [2, 'Largest: SpotBid "a" $40.00 (1 × $40.00) and SpotBid "b" $35.00 (1 × $35.00).'],
  ])("names the %p largest contributors when configured", async (largestContributors, expected) => {
    const [{ message }] = await run([bid("c", 30), bid("a", 40), bid("b", 35)], { largestContributors });
    expect(message).toContain(expected);
  });

  it("counts one instance when a bid leaves instanceQuantity out", async () => {
    const entries = [bid("a", 60, ABSENT), bid("b", 41, ABSENT)];
    const [{ message }] = await run(entries);
    expect(message).toMatch(/up to \$101\.00 per hour/);
  });

  it("uses the hourlyCost output when the state carries no instanceQuantity", async () => {
    const entry: StackEntry = { type: SPOT_BID_TYPE, name: "a", overrides: { limitPrice: "$30.00", instanceQuantity: ABSENT, hourlyCost: "$120.00" } };
    const [{ message }] = await run([entry]);
    expect(message).toMatch(/up to \$120\.00 per hour/);
  });

  describe("Tasks", () => {
    const task = (name: string, overrides: Record<string, unknown> = {}): StackEntry => ({ type: TASK_TYPE, name, overrides });

    it("counts a Task's bid once, not the Task as well", async () => {
      const entries = [task("train", { numInstances: 2, maxPricePerHour: 25 }), bid("train-bid", 25, 2, "train")];
      expect(await run(entries, { maxSpendPerHour: 60 })).toEqual([]);
    });

    it("finds the bid under an intermediate component", async () => {
      const entries: StackEntry[] = [
        task("train", { numInstances: 2, maxPricePerHour: 25 }),
        { type: "my:index:Group", name: "group", parent: "train" },
        bid("train-bid", 25, 2, "group"),
      ];
      expect(await run(entries, { maxSpendPerHour: 60 })).toEqual([]);
    });

    it("counts a Task whose bid is not registered yet (maxPricePerHour × numInstances)", async () => {
      const [{ message }] = await run([task("train", { numInstances: 4, maxPricePerHour: "$25.00" }), bid("eval", 10)], {
        maxSpendPerHour: 60,
      });
      expect(message).toMatch(/up to \$110\.00 per hour/);
      expect(message).toContain('Task "train" $100.00 (4 × $25.00)');
    });

    it("cannot evaluate a Task without a bid whose hourlyCost output is not known yet", async () => {
      const entry = task("train", { numInstances: ABSENT, maxPricePerHour: ABSENT, hourlyCost: UNKNOWN_VALUE });
      const message = await expectCannotEvaluate(() => run([entry, bid("eval", 10)]));
      expect(message).toContain('hourlyCost of Task "train" is not known');
    });

    it("reports a Task without a bid whose hourlyCost output is not a price", async () => {
      const entry = task("train", { numInstances: ABSENT, maxPricePerHour: ABSENT, hourlyCost: "lots" });
      const [{ message, urn }] = await run([entry]);
      expect(urn).toBe(urnOf(TASK_TYPE, "train"));
      expect(message).toMatch(/^Task "train" has hourlyCost "lots", which is not a valid price/);
    });

    it("skips a Task that carries no price at all", async () => {
      const entry = task("train", { numInstances: ABSENT, maxPricePerHour: ABSENT });
      expect(await run([entry, bid("eval", 10)])).toEqual([]);
    });

    it("counts a Task from its hourlyCost output when its args are not in the state", async () => {
      const entry = task("train", { numInstances: ABSENT, maxPricePerHour: ABSENT, hourlyCost: 75 });
      const [{ message }] = await run([entry], { maxSpendPerHour: 60 });
      expect(message).toContain('Task "train" $75.00');
    });
  });

  describe("unknown values during preview", () => {
    it("cannot evaluate while a bid's price or quantity is unknown and the known part fits", async () => {
      const message = await expectCannotEvaluate(() =>
        run([bid("a", 20), bid("b", UNKNOWN_VALUE, UNKNOWN_VALUE), bid("c", 30, UNKNOWN_VALUE)]),
      );
      expect(message).toContain('limitPrice and instanceQuantity of SpotBid "b" and instanceQuantity of SpotBid "c" are not known');
      expect(message).toContain("at the end of `pulumi up`");
    });

    it("still reports a stack whose known bids alone exceed the budget", async () => {
      const reported = await run([bid("a", 90), bid("b", 20), bid("c", UNKNOWN_VALUE)]);
      expect(reported).toHaveLength(1);
      expect(reported[0].message).toMatch(/can cost up to at least \$110\.00 per hour \(.* over 2 bids\)/);
      expect(reported[0].message).toContain("The cost of 1 more bid is not known until apply and would add to it.");
    });
  });

  it.each([
    ["15 dollars", 1, /SpotBid "bad" has limitPrice "15 dollars", which is not a valid price/],
    [15, 0, /SpotBid "bad" has instanceQuantity 0, but instanceQuantity must be a whole number of at least 1/],
    [15, 2.5, /has instanceQuantity 2\.5/],
  ])("reports a bid with limitPrice %p and quantity %p as a violation at that bid", async (limitPrice, quantity, expected) => {
    const reported = await run([bid("ok", 40), bid("bad", limitPrice, quantity)]);
    expect(reported).toEqual([
      {
        urn: urnOf(SPOT_BID_TYPE, "bad"),
        message: expect.stringMatching(expected),
      },
    ]);
    expect(reported[0].message).toMatch(/left out of the stack's hourly spend \(\$40\.00 per hour without it, budget \$100\.00 per hour\)/);
  });

  it.each([
    [{ maxSpendPerHour: "a lot" }, /maxSpendPerHour/],
    [{ largestContributors: 0 }, /largestContributors/],
    [{ budget: 10 }, /Unrecognized key/],
  ])("reports the invalid config %p as a violation", async (config, expected) => {
    const [{ message }] = await run([bid("a", 1)], config);
    expect(message).toMatch(/^The fcp-guardrails config for policy "max-stack-hourly-spend" is invalid/);
    expect(message).toMatch(expected);
  });
});
