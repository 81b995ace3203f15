// Re-exports only: the public API of the FCP client.
export * from "./errors";
export * from "./price";
export * from "./models";
export * from "./client";
export * from "./http";
export * from "./retry";
export * from "./pagination";
export * from "./concurrency";
export * from "./create-safely";
export * from "./bid-cache";
export * from "./instance-types";
export * from "./builtin-catalog";
export * from "./config";
export * from "./client-registry";
export { BID_STATUSES, INSTANCE_STATUSES, TERMINAL_BID_STATUSES } from "./schemas/status";
