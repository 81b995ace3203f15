// What a cluster bootstrap does on one node, over one SSH session (the ClusterBootstrap resource
// and the SDK's `flow run` both use it): deliver the code package (SFTP,
// sha256 checked on the node), the secret env file (root-only, 0600) and cluster.env, each
// written to a temporary name and renamed, so the startup script never reads half a file.
// And, for refresh, read the node's status.json back.
import { randomBytes } from "node:crypto";
import { FlowError } from "../fcp-api/errors";
import { renderClusterEnv } from "../startup/cluster-env";
import {
  CLUSTER_ENV_FILE,
  DELIVERED_CODE_FILE,
  DELIVERED_CODE_SHA_FILE,
  FLOW_STATE_DIR,
  SECRET_ENV_FILE,
  STATUS_FILE,
} from "../startup/constants";
import { shellQuote } from "../startup/shell-quote";
import { parseStartupStatus, type StartupStatus } from "../startup/status";
import type { SshSession } from "../ssh/ssh-session";

export interface NodePlan {
  rank: number;
  numNodes: number;
  mainIp: string;
  nodeIps: string[];
  masterPort: number;
  cluster: boolean;
  code?: { bytes: Buffer; sha256: string };
  secretEnv?: Record<string, string> | null;
}

/** `sudo -n ` unless the session is root already (FCP logs in as ubuntu, with passwordless sudo). */
async function rootPrefix(session: SshSession): Promise<string> {
  const id = (await session.run("Checking the login user", "id -u")).trim();
  return id === "0" ? "" : "sudo -n ";
}

/** Writes stdin to `file` with `mode`, atomically (temp name in the same directory, then rename). */
function atomicWrite(sudo: string, file: string, mode: string): string {
  const tmp = `${file}.tmp.$$`;
  return `${sudo}bash -c ${shellQuote(`set -e; umask 077; mkdir -p ${FLOW_STATE_DIR}; cat >${tmp}; chmod ${mode} ${tmp}; mv -f ${tmp} ${file}`)}`;
}

/** Runs every delivery step on one node. */
export async function bootstrapNode(session: SshSession, plan: NodePlan): Promise<void> {
  const sudo = await rootPrefix(session);
  if (plan.code) {
    // Uploaded as the login user to a private temporary file, checked there, then moved into place
    // by root and checked again; the .sha256 file, which the script waits for, comes last.
    const staged = `/tmp/flow-code-${randomBytes(6).toString("hex")}.tgz`;
    await session.putVerified(staged, plan.code.bytes);
    const sha = plan.code.sha256;
    await session.run(
      "Installing the code package",
      `${sudo}bash -c ${shellQuote(
        [
          "set -e",
          `mkdir -p ${FLOW_STATE_DIR}`,
          `install -m 0644 ${staged} ${DELIVERED_CODE_FILE}.tmp`,
          `rm -f ${staged}`,
          `echo "${sha}  ${DELIVERED_CODE_FILE}.tmp" | sha256sum -c --quiet -`,
          `mv -f ${DELIVERED_CODE_FILE}.tmp ${DELIVERED_CODE_FILE}`,
          `echo "${sha}  ${DELIVERED_CODE_FILE}" >${DELIVERED_CODE_SHA_FILE}.tmp`,
          `mv -f ${DELIVERED_CODE_SHA_FILE}.tmp ${DELIVERED_CODE_SHA_FILE}`,
        ].join("; "),
      )}`,
    );
  }
  if (plan.secretEnv && Object.keys(plan.secretEnv).length > 0) {
    // Sent on stdin: the values are in no command line, no file outside the 0600 one.
    const body = Object.entries(plan.secretEnv)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, value]) => `${name}=${shellQuote(value)}\n`)
      .join("");
    await session.run("Writing the secret env file", atomicWrite(sudo, SECRET_ENV_FILE, "600"), body);
  }
  if (plan.cluster) {
    const env = renderClusterEnv({ nodeRank: plan.rank, numNodes: plan.numNodes, mainIp: plan.mainIp, nodeIps: plan.nodeIps, masterPort: plan.masterPort });
    await session.run("Writing cluster.env", atomicWrite(sudo, CLUSTER_ENV_FILE, "644"), env);
  }
}

/** The node's status.json, or why it could not be read. */
export async function readNodeStatus(session: SshSession): Promise<StartupStatus | { error: string }> {
  const r = await session.exec(`cat ${STATUS_FILE}`);
  if (r.code !== 0) return { error: `no ${STATUS_FILE} yet (${r.stderr.trim() || `exit ${r.code}`})` };
  try {
    return parseStartupStatus(r.stdout);
  } catch (err) {
    return { error: `${STATUS_FILE} is not what the startup script writes: ${(err as Error).message.slice(0, 200)}` };
  }
}

/** A node's failure, for the error that lists them all. */
export function nodeFailure(label: string, err: unknown): string {
  const message = err instanceof FlowError || err instanceof Error ? err.message : String(err);
  return `${label}: ${message}`;
}
