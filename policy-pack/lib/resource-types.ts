// Type tokens of the pulumi-fcp resources. Policies match on the token string rather than on the
// classes (`validateResourceOfType` needs the class's static `__pulumiType`), so the pack loads
// without the provider's resource code and keeps working if a class moves.
export const SPOT_BID_TYPE = "pulumi-nodejs:dynamic/fcp:SpotBid";
export const VOLUME_TYPE = "pulumi-nodejs:dynamic/fcp:Volume";
export const SSH_KEY_TYPE = "pulumi-nodejs:dynamic/fcp:SshKey";
export const TASK_TYPE = "fcp:index:Task";

/** `SpotBid "train-bid"`: how messages name a resource. */
export function describeResource(type: string, name: string): string {
  const short = type.slice(Math.max(type.lastIndexOf(":"), type.lastIndexOf("/")) + 1) || type;
  return `${short} "${name}"`;
}
