// The pack's one link to the provider: it parses prices and instance types with the provider's
// own code, so it accepts exactly the spellings SpotBid and Task accept. It imports the package's
// public entry points only, as a copy of the pack outside this repository would (inside it,
// `pulumi-fcp` is the repository itself, through node_modules/pulumi-fcp; unit tests map it to
// src/, so they need no build).
export { formatPrice, parsePriceCents, canonicalInstanceTypeKey, parseInstanceType, BUILTIN_INSTANCE_TYPES, ValidationError } from "pulumi-fcp";
export { STARTUP_SCRIPT_LIMIT } from "pulumi-fcp/startup";
