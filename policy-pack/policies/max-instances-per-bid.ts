import type { ResourceValidationPolicy } from "@pulumi/policy";
import { z } from "zod";
import {
  cannotEvaluateUntilApply,
  configSchemaOf,
  describeResource,
  parseConfig,
  readCount,
  RECHECK_BEFORE_CREATE,
  SPOT_BID_TYPE,
} from "../lib";

export const DEFAULT_MAX_INSTANCES = 8;

export const maxInstancesPerBidConfig = z
  .object({
    maxInstances: z
      .int()
      .min(1)
      .max(1024)
      .prefault(DEFAULT_MAX_INSTANCES)
      .describe("Highest instanceQuantity a single spot bid may request."),
  })
  .strict();

export const maxInstancesPerBid: ResourceValidationPolicy = {
  name: "max-instances-per-bid",
  description: "Checks whether each FCP spot bid requests at most the configured number of instances.",
  enforcementLevel: "advisory",
  configSchema: configSchemaOf(maxInstancesPerBidConfig),
  validateResource: (args, reportViolation) => {
    if (args.type !== SPOT_BID_TYPE) return;
    const parsed = parseConfig("max-instances-per-bid", maxInstancesPerBidConfig, args.getConfig());
    if (!parsed.ok) return reportViolation(parsed.message);
    const { maxInstances } = parsed.config;
    const who = describeResource(args.type, args.name);

    const quantity = readCount(args.props, "instanceQuantity");
    switch (quantity.kind) {
      case "unknown":
        throw cannotEvaluateUntilApply([{ key: "instanceQuantity", of: who }], RECHECK_BEFORE_CREATE);
      case "absent":
        return; // defaults to 1
      case "invalid":
        return reportViolation(
          `${who} has instanceQuantity ${quantity.shown}, but ${quantity.reason}; at most ${maxInstances} are allowed.`,
        );
      case "known":
        if (quantity.value > maxInstances) {
          reportViolation(
            `${who} requests ${quantity.value} instances, more than the ${maxInstances} allowed per bid ` +
              "(maxInstances). Lower instanceQuantity (numInstances on a Task), or raise the limit in the policy config.",
          );
        }
    }
  },
};
