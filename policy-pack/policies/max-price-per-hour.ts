import type { ResourceValidationPolicy } from "@pulumi/policy";
import { z } from "zod";
import { formatPrice } from "../fcp";
import {
  cannotEvaluateUntilApply,
  configSchemaOf,
  describeResource,
  displayName,
  type InstanceTypeDescription,
  parseConfig,
  priceConfig,
  readInstanceType,
  readPriceCents,
  RECHECK_BEFORE_CREATE,
  SPOT_BID_TYPE,
} from "../lib";

export const DEFAULT_MAX_PRICE_PER_HOUR = 50;

export const maxPricePerHourConfig = z
  .object({
    maxPricePerHour: priceConfig(
      "Highest limit price a spot bid may set, in dollars per instance-hour (a number or \"$X.XX\"), " +
        "for instance types without a maxPricePerGpuHour entry.",
    ).prefault(DEFAULT_MAX_PRICE_PER_HOUR),
    maxPricePerGpuHour: z
      .record(
        z.string().regex(/^[a-z][a-z0-9]*$/, "use the GPU type as it appears in instance type names: a100, h100"),
        priceConfig("Highest limit price per GPU-hour for this GPU type."),
      )
      .prefault({})
      .describe(
        "Per GPU type (a100, h100, ...), the highest limit price per GPU-hour. A bid on that GPU type may set " +
          "this times its GPUs per instance (8xh100 at 4.5 allows $36.00 per instance-hour); it replaces " +
          "maxPricePerHour for that GPU type.",
      ),
  })
  .strict();

type Config = z.output<typeof maxPricePerHourConfig>;

interface Limit {
  cents: number;
  /** Where the limit comes from, for the message. */
  source: string;
}

export const maxPricePerHour: ResourceValidationPolicy = {
  name: "max-price-per-hour",
  description: "Checks whether each FCP spot bid's limit price per instance-hour is at or under the configured maximum.",
  enforcementLevel: "mandatory",
  configSchema: configSchemaOf(maxPricePerHourConfig),
  validateResource: (args, reportViolation) => {
    if (args.type !== SPOT_BID_TYPE) return;
    const parsed = parseConfig("max-price-per-hour", maxPricePerHourConfig, args.getConfig());
    if (!parsed.ok) return reportViolation(parsed.message);
    const config = parsed.config;
    const who = describeResource(args.type, args.name);

    const price = readPriceCents(args.props, "limitPrice");
    const type = readInstanceType(args.props);
    const described = type.kind === "known" ? type.value : undefined;
    if (type.kind === "unknown" && Object.keys(config.maxPricePerGpuHour).length > 0) {
      // The limit depends on the GPU type, which is not known yet; a price under every possible
      // limit (each per-GPU price counts at least one GPU) passes whatever the type turns out to be.
      const lowest = Math.min(config.maxPricePerHour, ...Object.values(config.maxPricePerGpuHour));
      if (price.kind === "known" && price.value <= lowest) return;
      const missing = price.kind === "unknown" ? ["limitPrice", "instanceType"] : ["instanceType"];
      throw cannotEvaluateUntilApply(missing.map((key) => ({ key, of: who })), RECHECK_BEFORE_CREATE);
    }
    const limit = limitFor(config, described);
    const limitText = `${formatPrice(limit.cents)} per instance-hour (${limit.source})`;
    const forType = described ? ` for ${displayName(described)}` : "";

    switch (price.kind) {
      case "unknown":
        throw cannotEvaluateUntilApply([{ key: "limitPrice", of: who }], RECHECK_BEFORE_CREATE);
      case "absent":
        return reportViolation(
          `${who} sets no limitPrice, so its price cannot be checked against the maximum of ${limitText}. ` +
            "Set limitPrice in dollars per instance-hour.",
        );
      case "invalid":
        return reportViolation(
          `${who} has limitPrice ${price.shown}, which is not a valid price (${price.reason}), so it cannot be ` +
            `checked against the maximum of ${limitText}.`,
        );
      case "known":
        if (price.value > limit.cents) {
          reportViolation(
            `${who} bids a limit price of ${formatPrice(price.value)} per instance-hour${forType}, above the ` +
              `maximum of ${limitText}. Lower limitPrice, or raise the limit in the policy config.`,
          );
        }
    }
  },
};

function limitFor(config: Config, type: InstanceTypeDescription | undefined): Limit {
  const gpu = type?.gpuType;
  if (gpu !== undefined && type?.gpuCount !== undefined && Object.hasOwn(config.maxPricePerGpuHour, gpu)) {
    const perGpu = config.maxPricePerGpuHour[gpu];
    return {
      cents: perGpu * type.gpuCount,
      source: `maxPricePerGpuHour.${gpu} ${formatPrice(perGpu)} × ${type.gpuCount} GPU${type.gpuCount === 1 ? "" : "s"}`,
    };
  }
  return { cents: config.maxPricePerHour, source: "maxPricePerHour" };
}
