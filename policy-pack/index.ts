// Entry point the policy runner loads (`pulumi preview --policy-pack <this dir>`). Serving starts
// as soon as the pack is constructed; the policies themselves live in guardrails.ts.
import { PolicyPack } from "@pulumi/policy";
import { POLICY_PACK_NAME, policies } from "./guardrails";

new PolicyPack(POLICY_PACK_NAME, {
  description: "Price, budget and shape checks for FCP GPU stacks built with pulumi-fcp.",
  policies,
});
