// Pieces of the wire contract shared by every resource schema: FID prefixes, prices, times.
// The client parses responses with these; the emulator validates requests with them.
import { z } from "zod";

/** FID prefixes, as the seed's "FID Format (Verified from API)" gives them. */
export const FID_PREFIX = {
  instanceType: "it_",
  auction: "auc_",
  project: "proj_",
  bid: "bid_",
  volume: "vol_",
  sshKey: "ssh-key_",
  instance: "inst_",
  user: "user_",
  request: "req_",
} as const;

export type FidKind = keyof typeof FID_PREFIX;

/** `"$15.00"`: a dollar sign, dollars (group 1), and optionally cents (group 2). */
export const WIRE_PRICE_PATTERN = /^\$(\d{1,7})(?:\.(\d{1,2}))?$/;

export const wirePrice = z.string().regex(WIRE_PRICE_PATTERN, 'a dollar string like "$15.00"');

/** ISO timestamps; the live service sometimes omits them, so responses treat them as optional. */
export const isoTimestamp = z.string();

/** Lists come as a bare array or as `{data, next_cursor}`; both normalise to a page. */
export function pageOf<T extends z.ZodTypeAny>(item: T) {
  return z.union([
    z.array(item).transform((data) => ({ data, nextCursor: undefined as string | undefined })),
    z
      .object({ data: z.array(item), next_cursor: z.string().nullish() })
      .transform((p) => ({ data: p.data, nextCursor: p.next_cursor ?? undefined })),
  ]);
}
