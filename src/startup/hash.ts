import { createHash } from "node:crypto";

/** Lowercase hex sha256, the form `sha256sum` prints. */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}
