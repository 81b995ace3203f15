import type { ResourceValidationPolicy } from "@pulumi/policy";
import { z } from "zod";
import {
  cannotEvaluateUntilApply,
  configSchemaOf,
  describeResource,
  parseConfig,
  readPositiveNumber,
  RECHECK_BEFORE_CREATE,
  TASK_TYPE,
} from "../lib";

export const DEFAULT_MAX_RUN_TIME_HOURS = 72;

export const requireMaxRunTimeConfig = z
  .object({
    maxRunTimeHours: z
      .number()
      .positive()
      .max(168)
      .prefault(DEFAULT_MAX_RUN_TIME_HOURS)
      .describe("Highest maxRunTimeHours a Task may set; every Task must set one (TaskConfig allows at most 168)."),
  })
  .strict();

export const requireMaxRunTime: ResourceValidationPolicy = {
  name: "require-max-run-time",
  description: "Checks whether each FCP Task sets maxRunTimeHours, at or under the configured cap, so a forgotten job stops billing.",
  enforcementLevel: "advisory",
  configSchema: configSchemaOf(requireMaxRunTimeConfig),
  validateResource: (args, reportViolation) => {
    if (args.type !== TASK_TYPE) return;
    const parsed = parseConfig("require-max-run-time", requireMaxRunTimeConfig, args.getConfig());
    if (!parsed.ok) return reportViolation(parsed.message);
    const cap = parsed.config.maxRunTimeHours;
    const who = describeResource(args.type, args.name);

    const hours = readPositiveNumber(args.props, "maxRunTimeHours");
    switch (hours.kind) {
      case "unknown":
        throw cannotEvaluateUntilApply([{ key: "maxRunTimeHours", of: who }], RECHECK_BEFORE_CREATE);
      case "absent":
        return reportViolation(
          `${who} sets no maxRunTimeHours, so its instances run (and bill) until someone stops them; ` +
            `set maxRunTimeHours to at most ${cap}.`,
        );
      case "invalid":
        return reportViolation(`${who} has maxRunTimeHours ${hours.shown}, but ${hours.reason}; the cap is ${cap} hours.`);
      case "known":
        if (hours.value > cap) {
          reportViolation(
            `${who} sets maxRunTimeHours to ${hours.value}, above the cap of ${cap} hours (maxRunTimeHours). ` +
              "Lower it, or raise the cap in the policy config.",
          );
        }
    }
  },
};
