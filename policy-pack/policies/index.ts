export * from "./allowed-instance-types";
export * from "./allowed-regions";
export * from "./max-instances-per-bid";
export * from "./max-price-per-hour";
export * from "./max-stack-hourly-spend";
export * from "./no-secrets-in-env";
export * from "./require-max-run-time";
export * from "./startup-script-size";
