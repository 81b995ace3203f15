// Typed reads of resource props: each value is known, absent, unknown until apply, or invalid
// (reported by the policies as a violation, never thrown).
import { parsePriceCents, ValidationError } from "../fcp";
import { readProp, UNKNOWN } from "./unknowns";

export type Reading<T> =
  | { kind: "known"; value: T }
  | { kind: "absent" }
  | { kind: "unknown" }
  | { kind: "invalid"; shown: string; reason: string };

type Props = Readonly<Record<string, unknown>>;

/** A price in any spelling the resources accept (`15`, `12.5`, `"$15.00"`), as integer cents. */
export function readPriceCents(props: Props, key: string): Reading<number> {
  return read(props, key, (raw) => {
    try {
      return { kind: "known", value: parsePriceCents(raw, key) };
    } catch (e) {
      if (e instanceof ValidationError) return { kind: "invalid", shown: show(raw), reason: e.message.replace(/\.$/, "") };
      throw e;
    }
  });
}

/** A whole number of at least 1 (instance counts). */
export function readCount(props: Props, key: string): Reading<number> {
  return read(props, key, (raw) =>
    typeof raw === "number" && Number.isInteger(raw) && raw >= 1
      ? { kind: "known", value: raw }
      : { kind: "invalid", shown: show(raw), reason: `${key} must be a whole number of at least 1` },
  );
}

/** A finite number greater than zero (hours). */
export function readPositiveNumber(props: Props, key: string): Reading<number> {
  return read(props, key, (raw) =>
    typeof raw === "number" && Number.isFinite(raw) && raw > 0
      ? { kind: "known", value: raw }
      : { kind: "invalid", shown: show(raw), reason: `${key} must be a number greater than 0` },
  );
}

export function readString(props: Props, key: string): Reading<string> {
  return read(props, key, (raw) =>
    typeof raw === "string"
      ? { kind: "known", value: raw }
      : { kind: "invalid", shown: show(raw), reason: `${key} must be a string` },
  );
}

/** How a value found in a resource is quoted in a message. */
export function show(raw: unknown): string {
  if (typeof raw === "string") return JSON.stringify(raw);
  try {
    return JSON.stringify(raw) ?? String(raw);
  } catch {
    return String(raw);
  }
}

function read<T>(props: Props, key: string, parse: (raw: unknown) => Reading<T>): Reading<T> {
  const raw = readProp(props, key);
  if (raw === UNKNOWN) return { kind: "unknown" };
  if (raw === undefined || raw === null) return { kind: "absent" };
  return parse(raw);
}
