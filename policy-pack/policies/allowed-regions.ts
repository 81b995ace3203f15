import type { ResourceValidationPolicy } from "@pulumi/policy";
import { z } from "zod";
import {
  cannotEvaluateUntilApply,
  configSchemaOf,
  describeResource,
  parseConfig,
  readString,
  RECHECK_BEFORE_CREATE,
  SPOT_BID_TYPE,
  VOLUME_TYPE,
} from "../lib";

export const allowedRegionsConfig = z
  .object({
    regions: z
      .array(z.string().min(1))
      .prefault([])
      .describe("Regions spot bids and volumes may use (us-central1-a, ...). Empty: every region is allowed."),
  })
  .strict();

export const allowedRegions: ResourceValidationPolicy = {
  name: "allowed-regions",
  description: "Checks whether each FCP spot bid and volume is placed in a region from the configured list.",
  enforcementLevel: "advisory",
  configSchema: configSchemaOf(allowedRegionsConfig),
  validateResource: (args, reportViolation) => {
    if (args.type !== SPOT_BID_TYPE && args.type !== VOLUME_TYPE) return;
    const parsed = parseConfig("allowed-regions", allowedRegionsConfig, args.getConfig());
    if (!parsed.ok) return reportViolation(parsed.message);
    const allowed = parsed.config.regions;
    if (allowed.length === 0) return;
    const who = describeResource(args.type, args.name);
    const list = allowed.join(", ");

    const region = readString(args.props, "region");
    switch (region.kind) {
      case "unknown":
        throw cannotEvaluateUntilApply([{ key: "region", of: who }], RECHECK_BEFORE_CREATE);
      case "absent":
        return reportViolation(
          `${who} sets no region, so it lands in the provider's default region (fcp:region), which this policy ` +
            `cannot see; set region to one of the allowed regions (${list}).`,
        );
      case "invalid":
        return reportViolation(`${who} has region ${region.shown}, which is not a region name; allowed: ${list}.`);
      case "known":
        if (!allowed.includes(region.value)) {
          reportViolation(
            `${who} is placed in region "${region.value}", which is not among the allowed regions (${list}). ` +
              "Choose an allowed region, or add it to regions in the policy config.",
          );
        }
    }
  },
};
