// Package root: re-exports only. The public API of `pulumi-fcp`.
export * from "./fcp-client";
