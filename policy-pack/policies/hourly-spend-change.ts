// An advisory finding on every preview: what the change does to the stack's worst-case hourly
// spend, `$60.00/h → $120.00/h (+$60.00/h)`, so a reviewer sees the money beside the diff.
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { z } from "zod";
import { formatPrice } from "../fcp";
import { configSchemaOf, parseConfig, PREVIOUS_STATE_ENV, readPreviousState } from "../lib";
import { billedResources, costOf } from "./max-stack-hourly-spend";

export const hourlySpendChangeConfig = z
  .object({
    previousStateFile: z
      .string()
      .prefault("")
      .describe(
        `The output of \`pulumi stack export\` from before the change (a file path). Empty: the file named by ${PREVIOUS_STATE_ENV}.`,
      ),
  })
  .strict();

/** The worst-case hourly spend of a set of resources, in cents, and how many bids are not known yet. */
export function worstCaseSpend(resources: PolicyResource[]): { cents: number; pending: number } {
  let cents = 0;
  let pending = 0;
  for (const r of billedResources(resources)) {
    const cost = costOf(r);
    if (cost.kind === "known") cents += cost.value.cents;
    else if (cost.kind === "unknown") pending += 1;
  }
  return { cents, pending };
}

/** `$60.00/h → $120.00/h (+$60.00/h)`. */
export function formatSpendChange(before: number, after: number): string {
  const delta = after - before;
  const change = delta === 0 ? "no change" : `${delta > 0 ? "+" : "-"}${formatPrice(Math.abs(delta))}/h`;
  return `${formatPrice(before)}/h → ${formatPrice(after)}/h (${change})`;
}

export const hourlySpendChange: StackValidationPolicy = {
  name: "hourly-spend-change",
  // One sentence: the analyzer puts the description before every message.
  description:
    "Checks whether the change moves the stack's worst-case hourly spend (limit price × instance quantity over all " +
    "FCP spot bids) and reports it, before → after, on every preview.",
  enforcementLevel: "advisory",
  configSchema: configSchemaOf(hourlySpendChangeConfig),
  validateStack: (args, reportViolation) => {
    const parsed = parseConfig("hourly-spend-change", hourlySpendChangeConfig, args.getConfig());
    if (!parsed.ok) return reportViolation(parsed.message);
    const file = parsed.config.previousStateFile.trim();
    const after = worstCaseSpend(args.resources);
    const pendingNote = after.pending
      ? ` The cost of ${after.pending} more bid${after.pending === 1 ? " is" : "s are"} not known until apply and would add to it.`
      : "";
    const atLeast = after.pending ? "at least " : "";
    const previous = readPreviousState(file ? { [PREVIOUS_STATE_ENV]: file } : process.env);
    if (previous.kind === "read") {
      const before = worstCaseSpend(previous.resources);
      reportViolation(`Worst-case hourly spend: ${atLeast}${formatSpendChange(before.cents, after.cents)}.${pendingNote}`);
      return;
    }
    const why =
      previous.kind === "none"
        ? `${PREVIOUS_STATE_ENV} is not set`
        : `${PREVIOUS_STATE_ENV} names ${previous.path}, which cannot be used: ${previous.reason}`;
    reportViolation(
      `Worst-case hourly spend after this change: ${atLeast}${formatPrice(after.cents)}/h.${pendingNote} The spend before it is not known ` +
        `(${why}); run \`pulumi stack export --file previous.json\` first and set ${PREVIOUS_STATE_ENV}=previous.json to see the change.`,
    );
  },
};
