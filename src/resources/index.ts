export { SpotBid, type SpotBidArgs, type SpotBidInstance } from "./SpotBid";
export { Volume, type VolumeArgs } from "./Volume";
export { SshKey, type SshKeyArgs } from "./SshKey";
export { Task, type TaskArgs, validateTaskArgs } from "./Task";
export * from "./task-config";
export type { WaitFor } from "../provider/spot-bid-inputs";
export { ClusterBootstrap, type ClusterBootstrapArgs, type ClusterNode } from "./cluster-bootstrap";
