// Re-exports only: the public API of the FCP client.
export * from "../fcp-api/errors";
export * from "../fcp-api/price";
export * from "../fcp-api/models";
export * from "./client";
export * from "./http";
export * from "./retry";
export * from "./pagination";
export * from "../util/semaphore";
export * from "./create-safely";
export * from "./bid-cache";
export * from "../fcp-api/instance-types";
export * from "../fcp-api/builtin-catalog";
export * from "./config";
export * from "./client-registry";
export { BID_STATUSES, INSTANCE_STATUSES, TERMINAL_BID_STATUSES } from "../fcp-api/schemas/status";
export { DIALECTS, DIALECT_SETTINGS, errorBodyDialect } from "./dialect";
export type { Dialect, DialectSetting } from "./dialect";
export { STARTUP_SCRIPT_MAX_CHARS } from "../fcp-api/limits";
