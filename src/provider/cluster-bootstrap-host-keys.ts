// Trust on first use for the instances' SSH host keys: the first key an instance presents is
// pinned in state (by instance id); later sessions to the same instance must see the same key.
// A new instance id starts unpinned, so a replaced or re-allocated bid is trusted afresh.
import type { HostKeyRule } from "../ssh/ssh-session";

export type HostKeyPins = Record<string, string>;

/** The rule for one instance: its pin, when the state has one. */
export function hostKeyRule(pins: HostKeyPins, instanceId: string): HostKeyRule {
  return { expected: pins[instanceId] };
}

/** The pins of the instances still in the bid, plus what was seen on first contact. */
export function updatedPins(old: HostKeyPins, seen: Record<string, string>, live: readonly string[]): HostKeyPins {
  const next: HostKeyPins = {};
  for (const id of live) {
    const key = old[id] ?? seen[id];
    if (key) next[id] = key;
  }
  return next;
}

/** Parses the `hostKeys` output of older state; anything not a string map is no pin at all. */
export function pinsOf(value: unknown): HostKeyPins {
  if (!value || typeof value !== "object" || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === "string"));
}
