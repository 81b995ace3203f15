// The contract of /var/lib/flow/cluster.env, which the cluster bootstrap writes to each node after
// allocation: one KEY=VALUE per line, read (not sourced) by the cluster section.
import { isIP } from "node:net";
import { DEFAULT_MASTER_PORT } from "./constants";
import { ValidationError } from "../fcp-api/errors";

export interface ClusterEnv {
  /** This node's rank, 0 for the main node. */
  nodeRank: number;
  /** Instances in the task. */
  numNodes: number;
  /** Private IP of the rank-0 node (`MASTER_ADDR`). */
  mainIp: string;
  /** Private IPs of all nodes, in rank order. */
  nodeIps: string[];
  /** The rendezvous port (`MASTER_PORT`). @default 29500 */
  masterPort?: number;
}

/** Renders the file the cluster section waits for. Throws `ValidationError` on inconsistent input. */
export function renderClusterEnv(env: ClusterEnv): string {
  const { nodeRank, numNodes, mainIp, nodeIps } = env;
  const masterPort = env.masterPort ?? DEFAULT_MASTER_PORT;
  if (!Number.isInteger(masterPort) || masterPort < 1 || masterPort > 65_535) throw new ValidationError(`masterPort must be a TCP port, got ${masterPort}`, { field: "masterPort" });
  if (!Number.isInteger(numNodes) || numNodes < 1) throw new ValidationError(`numNodes must be a positive integer, got ${numNodes}`, { field: "numNodes" });
  if (!Number.isInteger(nodeRank) || nodeRank < 0 || nodeRank >= numNodes) {
    throw new ValidationError(`nodeRank must be an integer from 0 to ${numNodes - 1}, got ${nodeRank}`, { field: "nodeRank" });
  }
  if (nodeIps.length !== numNodes) throw new ValidationError(`nodeIps must list ${numNodes} addresses, got ${nodeIps.length}`, { field: "nodeIps" });
  for (const ip of [mainIp, ...nodeIps]) {
    if (isIP(ip) === 0) throw new ValidationError(`${JSON.stringify(ip)} is not an IP address`, { field: "nodeIps" });
  }
  if (nodeIps[0] !== mainIp) throw new ValidationError(`mainIp ${mainIp} must be the rank-0 address ${nodeIps[0]}`, { field: "mainIp" });
  const ips = nodeIps.join(",");
  return [
    `FLOW_NODE_RANK=${nodeRank}`,
    `FLOW_NUM_NODES=${numNodes}`,
    `FLOW_MAIN_IP=${mainIp}`,
    `FLOW_NODE_IPS=${ips}`,
    `MASTER_ADDR=${mainIp}`,
    `MASTER_PORT=${masterPort}`,
    `NODE_RANK=${nodeRank}`,
    `NODE_IPS=${ips}`,
    "",
  ].join("\n");
}
