import type { ResourceValidationPolicy } from "@pulumi/policy";
import { z } from "zod";
import { STARTUP_SCRIPT_LIMIT } from "../fcp";
import {
  cannotEvaluateUntilApply,
  configSchemaOf,
  describeResource,
  parseConfig,
  readString,
  RECHECK_BEFORE_CREATE,
  SPOT_BID_TYPE,
} from "../lib";

/** FCP runs startup scripts of at most 10,000 characters (the provider's own constant). */
export const FCP_STARTUP_SCRIPT_LIMIT = STARTUP_SCRIPT_LIMIT;

export const startupScriptSizeConfig = z
  .object({
    maxCharacters: z
      .int()
      .min(1)
      .max(FCP_STARTUP_SCRIPT_LIMIT)
      .prefault(FCP_STARTUP_SCRIPT_LIMIT)
      .describe("Longest startup script a spot bid may carry, in characters; FCP's own limit is 10,000."),
  })
  .strict();

export const startupScriptSize: ResourceValidationPolicy = {
  name: "startup-script-size",
  description: "Checks whether each FCP spot bid's startup script fits the configured size, at most FCP's 10,000 characters.",
  // The API rejects a longer script anyway: failing the preview costs nothing and saves a failed deploy.
  enforcementLevel: "mandatory",
  configSchema: configSchemaOf(startupScriptSizeConfig),
  validateResource: (args, reportViolation) => {
    if (args.type !== SPOT_BID_TYPE) return;
    const parsed = parseConfig("startup-script-size", startupScriptSizeConfig, args.getConfig());
    if (!parsed.ok) return reportViolation(parsed.message);
    const { maxCharacters } = parsed.config;
    const who = describeResource(args.type, args.name);

    const script = readString(args.props, "startupScript");
    switch (script.kind) {
      case "unknown":
        throw cannotEvaluateUntilApply([{ key: "startupScript", of: who }], RECHECK_BEFORE_CREATE);
      case "absent":
        return;
      case "invalid":
        return reportViolation(`${who} has startupScript ${script.shown}, which is not a string.`);
      case "known": {
        // Characters, not UTF-16 units: an emoji is one character to FCP.
        const length = [...script.value].length;
        if (length > maxCharacters) {
          reportViolation(
            `${who} has a startup script of ${length.toLocaleString("en-US")} characters, more than the ` +
              `${maxCharacters.toLocaleString("en-US")} allowed (maxCharacters${maxCharacters === FCP_STARTUP_SCRIPT_LIMIT ? ", FCP's limit" : ""}). ` +
              "Shrink it: exclude files with .flowignore, use a prebuilt image, or move setup into the image.",
          );
        }
      }
    }
  },
};
