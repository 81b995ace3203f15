// TaskConfig: the seed's task description, checked offline and all at once. Re-exports only.
export * from "./parse";
