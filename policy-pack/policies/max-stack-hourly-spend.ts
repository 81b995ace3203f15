import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { z } from "zod";
import { formatPrice } from "../fcp";
import {
  cannotEvaluateUntilApply,
  configSchemaOf,
  describeResource,
  joinList,
  parseConfig,
  priceConfig,
  readCount,
  readPriceCents,
  RECHECK_AFTER_UP,
  type Reading,
  SPOT_BID_TYPE,
  TASK_TYPE,
  type UnknownValue,
} from "../lib";

export const DEFAULT_MAX_SPEND_PER_HOUR = 100;

export const maxStackHourlySpendConfig = z
  .object({
    maxSpendPerHour: priceConfig(
      "Budget: the highest total of limit price × instance quantity over all spot bids of the stack, " +
        "in dollars per hour (a number or \"$X.XX\").",
    ).prefault(DEFAULT_MAX_SPEND_PER_HOUR),
    largestContributors: z
      .int()
      .min(1)
      .max(20)
      .prefault(3)
      .describe("How many of the most expensive bids the violation message names."),
  })
  .strict();

/** One bid's worst-case cost per hour. */
export interface Contribution {
  who: string;
  cents: number;
  /** `4 × $25.00`, when the quantity and price are known separately. */
  detail?: string;
}

export type Cost = Exclude<Reading<Contribution>, { kind: "unknown" }> | { kind: "unknown"; keys: string[] };

export const maxStackHourlySpend: StackValidationPolicy = {
  name: "max-stack-hourly-spend",
  description:
    "Checks whether the stack's worst-case hourly spend (limit price × instance quantity, summed over all FCP " +
    "spot bids) is at or under the configured budget.",
  enforcementLevel: "mandatory",
  configSchema: configSchemaOf(maxStackHourlySpendConfig),
  validateStack: (args, reportViolation) => {
    const parsed = parseConfig("max-stack-hourly-spend", maxStackHourlySpendConfig, args.getConfig());
    if (!parsed.ok) return reportViolation(parsed.message);
    const { maxSpendPerHour, largestContributors } = parsed.config;

    const known: Contribution[] = [];
    const unknown: UnknownValue[] = [];
    const invalid: { urn: string; message: string }[] = [];
    for (const r of billedResources(args.resources)) {
      const cost = costOf(r);
      const who = describeResource(r.type, r.name);
      if (cost.kind === "known") known.push(cost.value);
      else if (cost.kind === "unknown") unknown.push(...cost.keys.map((key) => ({ key, of: who })));
      else if (cost.kind === "invalid") invalid.push({ urn: r.urn, message: `${who} ${cost.reason}` });
    }

    const total = known.reduce((sum, c) => sum + c.cents, 0);
    for (const bad of invalid) {
      reportViolation(
        `${bad.message}, so it is left out of the stack's hourly spend (${formatPrice(total)} per hour without it, ` +
          `budget ${formatPrice(maxSpendPerHour)} per hour).`,
        bad.urn,
      );
    }
    if (total > maxSpendPerHour) {
      const largest = [...known]
        .sort((a, b) => b.cents - a.cents)
        .slice(0, largestContributors)
        .map((c) => `${c.who} ${formatPrice(c.cents)}${c.detail ? ` (${c.detail})` : ""}`);
      const count = `${known.length} bid${known.length === 1 ? "" : "s"}`;
      const pending = new Set(unknown.map((u) => u.of)).size;
      const more = pending
        ? ` The cost of ${pending} more bid${pending === 1 ? " is" : "s are"} not known until apply and would add to it.`
        : "";
      reportViolation(
        `The stack's spot bids can cost up to ${unknown.length ? "at least " : ""}${formatPrice(total)} per hour ` +
          `(limit price × instance quantity over ${count}), above the budget of ${formatPrice(maxSpendPerHour)} ` +
          `per hour (maxSpendPerHour). Largest: ${joinList(largest)}.${more} Lower a limit price or an instance ` +
          "count, or raise the budget in the policy config.",
      );
      return;
    }
    if (unknown.length) throw cannotEvaluateUntilApply(unknown, RECHECK_AFTER_UP);
  },
};

/**
 * The resources that bid: every SpotBid, and every Task that has no SpotBid among its descendants
 * (a Task may register its bid only once values it waits for are known, so during preview the Task
 * stands in for it; counting both would count the same money twice).
 */
export function billedResources(resources: PolicyResource[]): PolicyResource[] {
  const bids = resources.filter((r) => r.type === SPOT_BID_TYPE);
  const tasksWithBids = new Set<string>();
  for (const bid of bids) {
    for (let p = bid.parent; p !== undefined; p = p.parent) {
      if (p.type === TASK_TYPE) tasksWithBids.add(p.urn);
    }
  }
  const tasks = resources.filter((r) => r.type === TASK_TYPE && !tasksWithBids.has(r.urn));
  return [...bids, ...tasks];
}

export function costOf(r: PolicyResource): Cost {
  const isBid = r.type === SPOT_BID_TYPE;
  const priceKey = isBid ? "limitPrice" : "maxPricePerHour";
  const quantityKey = isBid ? "instanceQuantity" : "numInstances";
  const who = describeResource(r.type, r.name);
  const quantity = readCount(r.props, quantityKey);
  const price = readPriceCents(r.props, priceKey);
  if (quantity.kind === "absent" || price.kind === "absent") {
    // The state may carry only the total (hourlyCost = limit price × quantity), as Task outputs do.
    const hourly = readPriceCents(r.props, "hourlyCost");
    if (hourly.kind === "known") return { kind: "known", value: { who, cents: hourly.value } };
    if (hourly.kind === "unknown") return { kind: "unknown", keys: ["hourlyCost"] };
    if (hourly.kind === "invalid") {
      return { kind: "invalid", shown: hourly.shown, reason: `has hourlyCost ${hourly.shown}, which is not a valid price (${hourly.reason})` };
    }
  }
  if (price.kind === "invalid") {
    return { kind: "invalid", shown: price.shown, reason: `has ${priceKey} ${price.shown}, which is not a valid price (${price.reason})` };
  }
  if (quantity.kind === "invalid") {
    return { kind: "invalid", shown: quantity.shown, reason: `has ${quantityKey} ${quantity.shown}, but ${quantity.reason}` };
  }
  if (price.kind === "unknown" || quantity.kind === "unknown") {
    const keys = [...(price.kind === "unknown" ? [priceKey] : []), ...(quantity.kind === "unknown" ? [quantityKey] : [])];
    return { kind: "unknown", keys };
  }
  if (price.kind === "absent") return { kind: "absent" };
  const n = quantity.kind === "known" ? quantity.value : 1;
  return {
    kind: "known",
    value: { who, cents: price.value * n, detail: `${n} × ${formatPrice(price.value)}` },
  };
}
