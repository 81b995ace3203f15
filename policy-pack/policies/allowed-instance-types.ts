import type { ResourceValidationPolicy } from "@pulumi/policy";
import { z } from "zod";
import {
  cannotEvaluateUntilApply,
  configSchemaOf,
  describeInstanceType,
  describeResource,
  displayName,
  entryMatches,
  parseConfig,
  readInstanceType,
  RECHECK_BEFORE_CREATE,
  SPOT_BID_TYPE,
} from "../lib";

export const allowedInstanceTypesConfig = z
  .object({
    instanceTypes: z
      .array(
        z
          .string()
          .min(1)
          .superRefine((entry, ctx) => {
            const invalid = entry.includes("*") ? undefined : describeInstanceType(entry.trim()).invalid;
            if (invalid !== undefined) ctx.addIssue({ code: "custom", message: invalid });
          }),
      )
      .prefault([])
      .describe(
        "Instance types spot bids may use, in any spelling (a100, 8xh100, a100-80gb.sxm.2x, it_...) or as a " +
          "pattern with * on the FCP name (a100-80gb.*, h100-*). Empty: every type is allowed.",
      ),
  })
  .strict();

export const allowedInstanceTypes: ResourceValidationPolicy = {
  name: "allowed-instance-types",
  description: "Checks whether each FCP spot bid uses an instance type from the configured list.",
  enforcementLevel: "advisory",
  configSchema: configSchemaOf(allowedInstanceTypesConfig),
  validateResource: (args, reportViolation) => {
    if (args.type !== SPOT_BID_TYPE) return;
    const parsed = parseConfig("allowed-instance-types", allowedInstanceTypesConfig, args.getConfig());
    if (!parsed.ok) return reportViolation(parsed.message);
    const allowed = parsed.config.instanceTypes;
    if (allowed.length === 0) return;
    const who = describeResource(args.type, args.name);
    const list = allowed.join(", ");

    const type = readInstanceType(args.props);
    switch (type.kind) {
      case "unknown":
        throw cannotEvaluateUntilApply([{ key: "instanceType", of: who }], RECHECK_BEFORE_CREATE);
      case "absent":
        return reportViolation(`${who} sets no instanceType, so it cannot be checked against the allowed instance types (${list}).`);
      case "invalid":
        return reportViolation(`${who} has instanceType ${type.shown}, which is not an instance type name; allowed: ${list}.`);
      case "known": {
        const d = type.value;
        if (d.invalid !== undefined) {
          return reportViolation(
            `${who} has instanceType ${JSON.stringify(d.spelling)}, which is not a valid instance type ` +
              `(${d.invalid}); allowed: ${list}.`,
          );
        }
        if (allowed.some((entry) => entryMatches(entry, d))) return;
        const unnamed =
          d.fid !== undefined && d.name === undefined
            ? " The pack cannot name this FID offline; add the FID itself to instanceTypes to allow it."
            : "";
        reportViolation(
          `${who} uses instance type ${displayName(d)}, which is not among the allowed instance types (${list}).` +
            `${unnamed} Choose an allowed type, or add it to instanceTypes in the policy config.`,
        );
      }
    }
  },
};
