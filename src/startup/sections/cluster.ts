// Multi-node rendezvous: wait for cluster.env (written to each node after allocation), read only
// the known keys from it (it is data, not code), and export the names torchrun and SkyPilot use.
import { CLUSTER_ENV_FILE, DEFAULT_MASTER_PORT } from "../constants";
import type { StartupSection } from "./section";

/** The keys cluster.env carries. */
export const CLUSTER_ENV_KEYS = ["FLOW_NODE_RANK", "FLOW_NUM_NODES", "FLOW_MAIN_IP", "FLOW_NODE_IPS"] as const;

/** What the cluster section exports, for `docker run -e`. */
export const CLUSTER_EXPORTS = [...CLUSTER_ENV_KEYS, "MASTER_ADDR", "MASTER_PORT", "NODE_RANK", "NODE_IPS"] as const;

const POLL_SECONDS = 5;

export const clusterSection: StartupSection = {
  name: "cluster",
  render(spec) {
    if (!spec.cluster) return undefined;
    const { numNodes, waitSeconds } = spec.cluster;
    // A MASTER_PORT in the user's env wins: it is exported into the task after these.
    // Otherwise the port the bootstrap wrote, then torchrun's default.
    const userPort = spec.env.some(([name]) => name === "MASTER_PORT");
    const port = userPort ? "" : ` MASTER_PORT="\${port:-${DEFAULT_MASTER_PORT}}"`;
    const readPort = userPort ? "" : " MASTER_PORT) if [[ $v =~ ^[0-9]+$ ]]; then port=$v; fi;;";
    return [
      "step cluster",
      userPort ? "t=0" : "t=0; port=",
      `until [ -s ${CLUSTER_ENV_FILE} ]; do if [ "$t" -ge ${waitSeconds} ]; then echo "${CLUSTER_ENV_FILE} did not arrive within ${waitSeconds} s"; exit 1; fi; sleep ${POLL_SECONDS}; t=$((t+${POLL_SECONDS})); done`,
      `while IFS='=' read -r k v || [ -n "$k" ]; do case $k in ${CLUSTER_ENV_KEYS.join("|")}) export "$k=$v";;${readPort} esac; done <${CLUSTER_ENV_FILE}`,
      `if [ "\${FLOW_NUM_NODES:-}" != ${numNodes} ] || ! [[ \${FLOW_NODE_RANK:-x} =~ ^[0-9]+$ ]] || [ "\${FLOW_NODE_RANK}" -ge ${numNodes} ] || [ -z "\${FLOW_MAIN_IP:-}" ] || [ -z "\${FLOW_NODE_IPS:-}" ]; then`,
      `echo "${CLUSTER_ENV_FILE} does not describe this ${numNodes}-node task:"; cat ${CLUSTER_ENV_FILE}; exit 1; fi`,
      `export MASTER_ADDR="$FLOW_MAIN_IP"${port} NODE_RANK="$FLOW_NODE_RANK" NODE_IPS="\${FLOW_NODE_IPS//,/$'\\n'}"`,
      'echo "node $FLOW_NODE_RANK of $FLOW_NUM_NODES, main node $FLOW_MAIN_IP"',
    ].join("\n");
  },
};
