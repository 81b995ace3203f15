// Property bags as the dynamic-provider plugin passes them: inputs, outputs and `__provider`
// mixed in one object, undefined values allowed.

export type Props = Record<string, unknown>;

/** `props` without the given keys and without undefined values. */
export function withoutKeys(props: Props, keys: readonly string[]): Props {
  return Object.fromEntries(Object.entries(props).filter(([k, v]) => v !== undefined && !keys.includes(k)));
}
