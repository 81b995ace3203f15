export * from "./config";
export * from "./credentials";
export * from "./instance-types";
export * from "./readings";
export * from "./resource-types";
export * from "./unknowns";
export * from "./previous-state";
