// The policies of fcp-guardrails, as a plain array: `new PolicyPack()` (index.ts) starts a gRPC
// server at once, so tests and other packs import this module instead.
import type { Policies } from "@pulumi/policy";
import {
  allowedInstanceTypes,
  allowedRegions,
  hourlySpendChange,
  maxInstancesPerBid,
  maxPricePerHour,
  maxStackHourlySpend,
  noSecretsInEnv,
  requireMaxRunTime,
  startupScriptSize,
} from "./policies/index";

export * from "./policies/index";

export const POLICY_PACK_NAME = "fcp-guardrails";

export const policies: Policies = [
  maxPricePerHour,
  maxStackHourlySpend,
  hourlySpendChange,
  allowedInstanceTypes,
  allowedRegions,
  maxInstancesPerBid,
  requireMaxRunTime,
  startupScriptSize,
  noSecretsInEnv,
];
