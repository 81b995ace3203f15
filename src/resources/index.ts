export { SpotBid, type SpotBidArgs, type SpotBidInstance } from "./spot-bid";
export { Volume, type VolumeArgs } from "./volume";
export { SshKey, type SshKeyArgs } from "./ssh-key";
export { Task, type TaskArgs, validateTaskArgs } from "./task";
export * from "./task-config";
export type { WaitFor } from "../provider/spot-bid-inputs";
export { ClusterBootstrap, type ClusterBootstrapArgs, type ClusterNode } from "./cluster-bootstrap";
