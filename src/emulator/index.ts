// pulumi-fcp/emulator: a local FCP v2 server for tests, demos and trying stacks without money.
export { startEmulator } from "./server";
export type { EmulatorOptions, RunningEmulator } from "./server";
export { EmulatorClock } from "./clock";
export { EmulatorAdmin } from "./admin";
export type { MarketUpdate, MarketEntryView, ClockView } from "./admin";
export type { FaultConfig } from "./faults";
export type { RequestCounts } from "./request-log";
export { EmulatorStateFileError } from "./persistence";
export { DEV_API_KEY, EMULATOR_PROJECT_NAME, DEFAULT_MARKET } from "./initial-state";
export { loopbackSshEndpoints, fixedSshEndpoint } from "./ssh-endpoints";
export type { SshEndpointAllocator, SshEndpointRequest } from "./ssh-endpoints";
export { MAX_STARTUP_SCRIPT_CHARS } from "./routes/bids";
export { EMULATOR_DIALECTS, DEFAULT_DIALECT, DIALECT_ENV, DIALECT_SETTINGS } from "./dialects/dialect";
export type { EmulatorDialect, DialectSettings } from "./dialects/dialect";
export { VALIDATE_ENV as OPENAPI_VALIDATE_ENV, OPENAPI_PATH_ENV, VIOLATIONS_FILE_ENV as OPENAPI_VIOLATIONS_FILE_ENV } from "./dialects/openapi-responses";
export type { InstancesMode } from "./instances/choose-runtime";
export type { InstanceFleet, InstanceBootView, BootState } from "./instances/fleet";
export type { InstanceRuntime, BootedInstance, BootSpec } from "./instances/runtime";
