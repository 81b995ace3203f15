// Resource URNs as the Pulumi engine builds them (not as MockMonitor does): a child's type is
// prefixed with its parent's qualified type, except when the parent is the root stack.

export const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/** The qualified type of a URN: `parentType$childType`. */
export function qualifiedTypeOf(urn: string): string {
  const parts = urn.split("::");
  if (parts.length < 4 || !parts[0].startsWith("urn:pulumi:")) {
    throw new TypeError(`"${urn}" is not a Pulumi URN.`);
  }
  return parts[2];
}

export function makeUrn(stack: string, project: string, type: string, name: string, parent?: string): string {
  let qualified = type;
  if (parent) {
    const parentType = qualifiedTypeOf(parent);
    if (parentType !== ROOT_STACK_TYPE) {
      qualified = `${parentType}$${type}`;
    }
  }
  return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}
