// During preview, @pulumi/policy hands policies their props through a proxy that throws
// UnknownValueError when a value is not known yet (it depends on another resource's output).
// When a policy lets that error escape, @pulumi/policy reports it as an advisory "can't run
// policy during preview" diagnostic, whatever the policy's enforcement level. These helpers read
// values without the throw, so a policy can still judge what is known, and raise the same error
// with a message that says which value was missing.
const proxy = require("@pulumi/policy/proxy") as {
  // Exported at run time, typed @internal by @pulumi/policy.
  UnknownValueError: new (sentinel: string, path: string[]) => Error;
  unknownStringValue: string;
};

if (typeof proxy.UnknownValueError !== "function" || typeof proxy.unknownStringValue !== "string") {
  throw new Error(
    "fcp-guardrails: this version of @pulumi/policy no longer exports UnknownValueError from @pulumi/policy/proxy; " +
      "install @pulumi/policy ^1.21 in the policy pack.",
  );
}

/** Marks a value the engine does not know yet (preview). */
export const UNKNOWN: unique symbol = Symbol("unknown until apply");

export function isUnknownValueError(e: unknown): boolean {
  return e instanceof proxy.UnknownValueError;
}

/** `props[key]`, or UNKNOWN when the engine does not know it yet. */
export function readProp(props: Readonly<Record<string, unknown>>, key: string): unknown {
  try {
    return props[key];
  } catch (e) {
    if (isUnknownValueError(e)) return UNKNOWN;
    throw e;
  }
}

/** When a resource policy sees the real values: the engine analyzes each resource before creating it. */
export const RECHECK_BEFORE_CREATE = "during `pulumi up`, before the resource is created or updated";
/** When a stack policy sees the real values: the engine analyzes the stack once it is deployed. */
export const RECHECK_AFTER_UP = "at the end of `pulumi up`";

/** A value a policy needed but the engine does not know yet: `limitPrice` of `SpotBid "x"`. */
export interface UnknownValue {
  key: string;
  of: string;
}

/**
 * The error to throw when a policy cannot decide until apply. @pulumi/policy turns it into an
 * advisory diagnostic ("can't run policy ... during preview: <message>") instead of a failure.
 */
export function cannotEvaluateUntilApply(unknowns: UnknownValue[], recheck: string): Error {
  const byResource = new Map<string, string[]>();
  for (const u of unknowns) byResource.set(u.of, [...(byResource.get(u.of) ?? []), u.key]);
  const what = joinList([...byResource].map(([of, keys]) => `${joinList(keys)} of ${of}`));
  const plural = unknowns.length > 1;
  const e = new proxy.UnknownValueError(proxy.unknownStringValue, []);
  e.message =
    `cannot evaluate until apply: ${what} ${plural ? "are" : "is"} not known during preview; ` +
    `the policy checks the real ${plural ? "values" : "value"} ${recheck}.`;
  return e;
}

export function joinList(items: string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}
