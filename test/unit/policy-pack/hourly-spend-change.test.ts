import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatSpendChange, hourlySpendChange } from "../../../policy-pack/guardrails";
import { PREVIOUS_STATE_ENV, SPOT_BID_TYPE, TASK_TYPE, VOLUME_TYPE } from "../../../policy-pack/lib";
import { runStackPolicy, stackArgs, type StackEntry, UNKNOWN_VALUE, urnOf } from "./harness";

const bid = (name: string, limitPrice: unknown, instanceQuantity: unknown = 1): StackEntry => ({
  type: SPOT_BID_TYPE,
  name,
  overrides: { limitPrice, instanceQuantity },
});

const dir = mkdtempSync(join(tmpdir(), "hourly-spend-"));
let files = 0;

/** A file shaped like `pulumi stack export` output, holding these resources. */
function exportFile(resources: object[]): string {
  const file = join(dir, `export-${files++}.json`);
  writeFileSync(file, JSON.stringify({ version: 3, deployment: { manifest: {}, resources } }));
  return file;
}

const exportedBid = (name: string, limitPrice: string, instanceQuantity: number, extra: object = {}) => ({
  urn: urnOf(SPOT_BID_TYPE, name),
  type: SPOT_BID_TYPE,
  inputs: { limitPrice, instanceQuantity },
  outputs: { limitPrice, instanceQuantity, hourlyCost: limitPrice, bidId: `bid_${name}` },
  ...extra,
});

async function run(entries: StackEntry[], previous: string | undefined, config: object = {}) {
  const saved = process.env[PREVIOUS_STATE_ENV];
  if (previous === undefined) delete process.env[PREVIOUS_STATE_ENV];
  else process.env[PREVIOUS_STATE_ENV] = previous;
  try {
    return (await runStackPolicy(hourlySpendChange, stackArgs(entries, config))).map((r) => r.message);
  } finally {
    if (saved === undefined) delete process.env[PREVIOUS_STATE_ENV];
    else process.env[PREVIOUS_STATE_ENV] = saved;
  }
}

describe("hourly-spend-change", () => {
  it("formats a change as before → after (delta)", () => {
    expect(formatSpendChange(6000, 12000)).toBe("$60.00/h → $120.00/h (+$60.00/h)");
    expect(formatSpendChange(12000, 4050)).toBe("$120.00/h → $40.50/h (-$79.50/h)");
    expect(formatSpendChange(6000, 6000)).toBe("$60.00/h → $60.00/h (no change)");
  });

  it("reports the GitOps change (2 → 4 instances at $15) as $60.00/h → $120.00/h (+$60.00/h)", async () => {
    const before = exportFile([exportedBid("train", "$30.00", 2)]);
    expect(await run([bid("train", "$30.00", 4)], before)).toEqual(["Worst-case hourly spend: $60.00/h → $120.00/h (+$60.00/h)."]);
  });

  it("reports on every preview, also when nothing changes the spend", async () => {
    const before = exportFile([exportedBid("a", "$10.00", 2), { urn: urnOf(VOLUME_TYPE, "data"), type: VOLUME_TYPE, inputs: { sizeGb: 10 } }]);
    expect(await run([bid("a", 10, 2), { type: VOLUME_TYPE, name: "data" }], before)).toEqual([
      "Worst-case hourly spend: $20.00/h → $20.00/h (no change).",
    ]);
  });

  it("counts a first deployment (an export with no resources) from $0.00/h, and a destroy down to it", async () => {
    expect(await run([bid("a", 25, 2)], exportFile([]))).toEqual(["Worst-case hourly spend: $0.00/h → $50.00/h (+$50.00/h)."]);
    expect(await run([], exportFile([exportedBid("a", "$25.00", 2)]))).toEqual(["Worst-case hourly spend: $50.00/h → $0.00/h (-$50.00/h)."]);
  });

  it("counts a Task once, through its SpotBid child, on both sides", async () => {
    const taskUrn = urnOf(TASK_TYPE, "train");
    const before = exportFile([
      { urn: taskUrn, type: TASK_TYPE, outputs: { hourlyCost: "$40.00" } },
      exportedBid("train-bid", "$20.00", 2, { parent: taskUrn }),
    ]);
    const entries: StackEntry[] = [
      { type: TASK_TYPE, name: "train", overrides: { numInstances: 3, maxPricePerHour: "$20.00" } },
      { ...bid("train-bid", "$20.00", 3), parent: "train" },
    ];
    expect(await run(entries, before)).toEqual(["Worst-case hourly spend: $40.00/h → $60.00/h (+$20.00/h)."]);
  });

  it("says 'at least' and how many bids are pending when a price is not known until apply", async () => {
    const [message] = await run([bid("a", 10), bid("b", UNKNOWN_VALUE)], exportFile([]));
    expect(message).toBe(
      "Worst-case hourly spend: at least $0.00/h → $10.00/h (+$10.00/h). The cost of 1 more bid is not known until apply and would add to it.",
    );
  });

  it("without a previous state, reports the spend after the change and how to see the change", async () => {
    const [message] = await run([bid("a", 30, 2)], undefined);
    expect(message).toMatch(/^Worst-case hourly spend after this change: \$60\.00\/h\. The spend before it is not known \(FCP_GUARDRAILS_PREVIOUS_STATE is not set\)/);
    expect(message).toContain("pulumi stack export --file previous.json");
  });

  it.each([
    ["a missing file", () => join(dir, "nope.json"), /the file does not exist/],
    ["a file that is not JSON", () => { const f = join(dir, "bad.json"); writeFileSync(f, "{not json"); return f; }, /it is not JSON/],
    ["JSON that is not a stack export", () => { const f = join(dir, "other.json"); writeFileSync(f, '{"a":1}'); return f; }, /not the output of `pulumi stack export`/],
  ])("names %s and still reports the spend after the change", async (_what, file, reason) => {
    const path = file();
    const [message] = await run([bid("a", 30, 2)], path);
    expect(message).toContain(`FCP_GUARDRAILS_PREVIOUS_STATE names ${path}, which cannot be used`);
    expect(message).toMatch(reason);
    expect(message).toContain("$60.00/h");
  });

  it("takes the previous state from previousStateFile when configured", async () => {
    const before = exportFile([exportedBid("a", "$5.00", 1)]);
    expect(await run([bid("a", 5, 3)], undefined, { previousStateFile: before })).toEqual(["Worst-case hourly spend: $5.00/h → $15.00/h (+$10.00/h)."]);
  });

  it("reports an invalid config instead of throwing", async () => {
    const [message] = await run([], undefined, { previousStateFile: 3 });
    expect(message).toMatch(/config for policy "hourly-spend-change" is invalid/);
  });
});
