// `pulumi-fcp/startup`: startup scripts that fit FCP's 10,000-character limit, and code packaging.
export * from "./constants";
export * from "./spec";
export * from "./errors";
export { checkStartupSpec, resolveStartupSpec, type ResolvedStartupSpec, type ResolvedVolume } from "./resolve-startup-spec";
export * from "./build-startup-script";
export * from "./package-code";
export * from "./cluster-env";
export * from "./status";
export { shellQuote, shellWord, shellWords } from "./shell-quote";
export { STARTUP_SECTION_NAMES, type StartupSection, type StartupSectionName } from "./sections/section";
