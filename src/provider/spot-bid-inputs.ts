// SpotBid inputs as the provider sees them after `check`: validated offline, defaults filled,
// spellings normalised (prices as "$X.XX"), so that `diff` compares like with like.
import { z } from "zod";
import { formatPrice, parsePriceCents } from "../fcp-api/price";
import { canonicalInstanceTypeKey } from "../fcp-api/instance-types";
import { FlowError } from "../fcp-api/errors";
import { orUnknown } from "./check-failures";

import { STARTUP_SCRIPT_LIMIT } from "../startup/constants";
export const WAIT_FOR = ["none", "allocated", "running"] as const;
export type WaitFor = (typeof WAIT_FOR)[number];

const bidName = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "use letters, digits, '.', '_' and '-', starting with a letter or digit");

export const spotBidInputsSchema = z.object({
  resourceName: z.string().min(1),
  name: orUnknown(bidName).optional(),
  instanceType: orUnknown(
    z.string().superRefine((value, ctx) => {
      try {
        canonicalInstanceTypeKey(value);
      } catch (e) {
        ctx.addIssue({ code: "custom", message: flowMessage(e) });
      }
    }),
  ).optional(),
  minGpuMemoryGb: orUnknown(z.number().positive().max(1024)).optional(),
  region: orUnknown(z.string().min(1)).optional(),
  limitPrice: orUnknown(
    z.unknown().transform((value, ctx) => {
      try {
        return formatPrice(parsePriceCents(value, "limitPrice"));
      } catch (e) {
        ctx.addIssue({ code: "custom", message: flowMessage(e) });
        return z.NEVER;
      }
    }),
  ),
  instanceQuantity: orUnknown(z.number().int().min(1).max(1024)).default(1),
  sshKeyIds: orUnknown(z.array(z.string().min(1))).default([]),
  volumeIds: orUnknown(z.array(z.string().min(1))).default([]),
  startupScript: orUnknown(
    z
      .string()
      .max(
        STARTUP_SCRIPT_LIMIT,
        `FCP runs startup scripts of at most ${STARTUP_SCRIPT_LIMIT} characters; shrink it (.flowignore, a prebuilt image).`,
      ),
  ).default(""),
  paused: orUnknown(z.boolean()).default(false),
  waitFor: z.enum(WAIT_FOR).default("running"),
  readyTimeoutMinutes: z.number().positive().max(24 * 60).default(30),
  adoptId: orUnknown(z.string().min(1)).optional(),
  apiUrl: orUnknown(z.string().url()).optional(),
  project: orUnknown(z.string().min(1)).optional(),
}).superRefine((v, ctx) => {
  if ((v.instanceType === undefined) === (v.minGpuMemoryGb === undefined)) {
    ctx.addIssue({
      code: "custom",
      path: ["instanceType"],
      message: "Give exactly one of instanceType (e.g. \"8xh100\") and minGpuMemoryGb (the cheapest type on offer with that much memory per GPU).",
    });
  }
});

export type SpotBidInputs = z.infer<typeof spotBidInputsSchema>;

/** Inputs once every value is known (create/update time). */
export interface KnownSpotBidInputs {
  resourceName: string;
  name: string;
  instanceType?: string;
  minGpuMemoryGb?: number;
  region?: string;
  limitPrice: string;
  instanceQuantity: number;
  sshKeyIds: string[];
  volumeIds: string[];
  startupScript: string;
  paused: boolean;
  waitFor: WaitFor;
  readyTimeoutMinutes: number;
  adoptId?: string;
  apiUrl?: string;
  project?: string;
}

/** Keys whose change means a new bid: FCP cannot change them in place. */
export const SPOT_BID_REPLACE_KEYS = [
  "name",
  "instanceType",
  "minGpuMemoryGb",
  "region",
  "instanceQuantity",
  "sshKeyIds",
  "volumeIds",
  "startupScript",
  "apiUrl",
  "project",
] as const;

/** Keys one PATCH changes in place. */
export const SPOT_BID_UPDATE_KEYS = ["limitPrice", "paused"] as const;

/** Keys that only change how this provider waits; no API call. */
export const SPOT_BID_LOCAL_KEYS = ["waitFor", "readyTimeoutMinutes", "adoptId"] as const;

function flowMessage(e: unknown): string {
  if (e instanceof FlowError) {
    return e.suggestions.length ? `${e.message} ${e.suggestions.join(" ")}` : e.message;
  }
  return e instanceof Error ? e.message : String(e);
}
