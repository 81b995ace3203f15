// The pack's one link to the provider: it parses prices and instance types with the provider's
// own code, so it accepts exactly the spellings SpotBid and Task accept. Inside this repository
// the source is imported directly (no build needed; the policy runner's ts-node compiles it).
// A copy of the pack outside the repository imports the same names from "pulumi-fcp" instead.
export { formatPrice, parsePriceCents } from "../src/fcp-api/price";
export { canonicalInstanceTypeKey, parseInstanceType } from "../src/fcp-api/instance-types";
export { BUILTIN_INSTANCE_TYPES } from "../src/fcp-api/builtin-catalog";
export { ValidationError } from "../src/fcp-api/errors";
export { STARTUP_SCRIPT_LIMIT } from "../src/startup/constants";
