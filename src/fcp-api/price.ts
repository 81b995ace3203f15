// Prices are dollar strings on the wire ("$15.00") and integer cents inside, so sums of bids
// never drift by floating-point error.
import { ValidationError } from "./errors";
import { describeValue, isPulumiOutput, outputFix } from "./issue-messages";
import { WIRE_PRICE_PATTERN } from "./schemas/common";

/**
 * Parses a price given as dollars (`15`, `15.5`) or a dollar string (`"$15.00"`, `"$15"`) into
 * integer cents. Rejects NaN, infinities, negatives, sub-cent precision and anything else.
 */
export function parsePriceCents(value: unknown, field = "price"): number {
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0) {
      throw priceError(field, value, "must be a finite, non-negative number of dollars");
    }
    const cents = Math.round(value * 100);
    if (Math.abs(cents - value * 100) > 1e-6) {
      throw priceError(field, value, "has more precision than a cent");
    }
    if (cents > 9_999_999_99) throw priceError(field, value, "is implausibly large");
    return cents;
  }
  if (typeof value === "string") {
    const m = WIRE_PRICE_PATTERN.exec(value.trim());
    if (!m) {
      throw priceError(field, value, 'must be a dollar string like "$15.00"');
    }
    return Number(m[1]) * 100 + Number((m[2] ?? "0").padEnd(2, "0"));
  }
  if (isPulumiOutput(value)) {
    throw new ValidationError(`Invalid ${field}: ${outputFix(field)}`, { field, suggestions: ['Write prices as dollars per instance-hour: 12.5 or "$12.50".'] });
  }
  throw priceError(field, value, 'must be a number of dollars or a dollar string like "$15.00"');
}

/** The wire format: `"$15.00"`, always two decimals. */
export function formatPrice(cents: number): string {
  if (!Number.isInteger(cents) || cents < 0) {
    throw new ValidationError(`Cannot format price: ${cents} is not a non-negative whole number of cents.`, {
      field: "price",
    });
  }
  const dollars = Math.floor(cents / 100);
  return `$${dollars}.${String(cents % 100).padStart(2, "0")}`;
}

/** True when the value is a wire price string exactly as the seed writes it. */
export function isWirePrice(value: unknown): value is string {
  return typeof value === "string" && WIRE_PRICE_PATTERN.test(value);
}

function priceError(field: string, value: unknown, why: string): ValidationError {
  const shown = describeValue(value);
  return new ValidationError(`Invalid ${field}: got ${shown}, but it ${why}.`, {
    field,
    suggestions: ['Write prices as dollars per instance-hour: 12.5 or "$12.50".'],
  });
}
