// FCP names default to the Pulumi name plus a random suffix, like Pulumi's auto-naming: unique,
// so the client can find an object again by name after an ambiguous failure, and stable across
// updates because `check` keeps the name it gave before.
import { randomBytes } from "crypto";

export function autoName(
  resourceName: string,
  explicit: unknown,
  olds: Record<string, unknown> | undefined,
): string | undefined {
  if (typeof explicit === "string") return explicit;
  if (explicit !== undefined) return undefined;
  const prefix = sanitize(resourceName);
  const previous = olds?.name;
  if (typeof previous === "string" && olds?.resourceName === resourceName && previous.startsWith(`${prefix}-`)) {
    return previous;
  }
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}

function sanitize(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[^A-Za-z0-9]+/, "");
  return (cleaned || "fcp").slice(0, 100);
}
