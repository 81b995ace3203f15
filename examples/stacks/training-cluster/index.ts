// Entry point for `pulumi up`: the stack outputs are the program's return values.
import { trainingCluster } from "./program";

const cluster = trainingCluster();

export const bidId = cluster.bidId;
export const status = cluster.status;
export const instanceType = cluster.instanceType;
export const sshHosts = cluster.sshHosts;
export const sshCommands = cluster.sshCommands;
export const privateKey = cluster.privateKey;
export const hourlyCost = cluster.hourlyCost;
export const startupScriptBytes = cluster.startupScriptBytes;
export const volumeIds = cluster.volumeIds;
export const nodes = cluster.nodes;
export const clusterReadyAt = cluster.clusterReadyAt;
