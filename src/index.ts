// Package root: re-exports only. The public API of `pulumi-fcp`.
export * from "./fcp-client";
export * from "./resources";
// The resources take the short names; the client's models of the same objects keep theirs here.
export { Volume, SshKey } from "./resources";
export type { Volume as FcpVolume, SshKey as FcpSshKey } from "./fcp-api/models";
