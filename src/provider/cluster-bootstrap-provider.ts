// ClusterBootstrap's CRUD: after the bid's instances exist, reach each over SSH (bounded wait,
// progress in the log), pin its host key, deliver code, secret env and cluster.env. `diff` makes no
// SSH connection: it compares the bid and instance ids (new ids: the bootstrap runs again, as a
// replacement) and what is delivered. `read` (refresh) reads each node's status.json. Nothing to
// delete: what was written lives on the instances and goes with the bid.
import * as pulumi from "@pulumi/pulumi";
import { FlowError, ValidationError } from "../fcp-api/errors";
import { packageCode } from "../startup/package-code";
import { HostKeyChangedError, openSshSession, type SshSession, type SshTarget } from "../ssh/ssh-session";
import { isUnknown, zodFailures } from "./check-failures";
import { hostKeyRule, pinsOf, updatedPins, type HostKeyPins } from "./cluster-bootstrap-host-keys";
import {
  BOOTSTRAP_OUTPUT_KEYS,
  clusterBootstrapInputsSchema,
  nodeSchema,
  rankOrder,
  type BootstrapInputs,
  type BootstrapInstance,
  type BootstrapNode,
} from "./cluster-bootstrap-inputs";
import { bootstrapNode, nodeFailure, readNodeStatus } from "../cluster/node-delivery";
import { plainJson } from "./plain-json";
import { withoutKeys, type Props } from "./props";

/** How long a refresh tries each node before calling it unreachable. */
const REFRESH_CONNECT_MS = 15_000;

export async function check(_olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
  const parsed = clusterBootstrapInputsSchema.safeParse(withoutKeys(news, [...BOOTSTRAP_OUTPUT_KEYS]));
  // Messages may quote the value given: never the private key's or a secret env value's.
  if (!parsed.success) return { inputs: news, failures: zodFailures(parsed.error, { ...news, privateKey: "[secret]", secretEnv: news.secretEnv === undefined ? undefined : "[secret]" }) };
  return { inputs: withoutKeys(parsed.data as Props, []) };
}

export async function diff(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> {
  const oldIds = idsOf(olds.instances);
  const newIds = isUnknown(news.instances) ? undefined : idsOf(news.instances);
  const replaces: string[] = [];
  if (isUnknown(news.bidId) || olds.bidId !== news.bidId) replaces.push("bidId");
  // Unknown instances of the same bid: a preview of an in-place update of the bid (its price), which
  // keeps its instances. The update itself diffs again with the list known.
  const sameBidUnknownInstances = newIds === undefined && !replaces.includes("bidId");
  if (!sameBidUnknownInstances && JSON.stringify(oldIds) !== JSON.stringify(newIds)) replaces.push("instances");
  // The code by its digest: the same package from another checkout directory is no change.
  const codeSha = (v: unknown) => (v && typeof v === "object" ? (v as { sha256?: unknown }).sha256 : v) ?? null;
  const delivered = ["secretEnv", "masterPort", "numNodes", "cluster", "username", "privateKey"].filter(
    (k) => isUnknown(news[k]) || JSON.stringify(olds[k] ?? null) !== JSON.stringify(news[k] ?? null),
  );
  if (isUnknown(news.code) || codeSha(olds.code) !== codeSha(news.code)) delivered.push("code");
  return { changes: replaces.length > 0 || delivered.length > 0, replaces, deleteBeforeReplace: false };
}

export async function create(inputs: Props): Promise<pulumi.dynamic.CreateResult> {
  const args = known(inputs);
  const outs = await bootstrap(args, {});
  return { id: `${args.bidId}-bootstrap`, outs: plainJson({ ...withoutKeys(inputs, ["__provider"]), ...outs }) };
}

export async function update(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> {
  const args = known(news);
  const outs = await bootstrap(args, pinsOf(olds.hostKeys));
  return { outs: plainJson({ ...withoutKeys(news, ["__provider"]), ...outs }) };
}

export async function read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
  const nodes = nodeSchema.array().safeParse(props.nodes);
  if (!nodes.success || typeof props.privateKey !== "string") return { id, props };
  const pins = pinsOf(props.hostKeys);
  const username = typeof props.username === "string" ? props.username : "ubuntu";
  const refreshed = await Promise.all(
    nodes.data.map(async (node): Promise<BootstrapNode> => {
      const [host, port] = splitHost(node.host);
      const target: SshTarget = { host, port, username, privateKey: props.privateKey as string, label: labelOf(node.instanceId, node.host) };
      let session: SshSession | undefined;
      try {
        session = await openSshSession(target, hostKeyRule(pins, node.instanceId), { deadlineMs: REFRESH_CONNECT_MS });
        const status = await readNodeStatus(session);
        if ("error" in status) return { ...node, state: "unknown", step: undefined };
        return { ...node, state: status.status, step: status.step };
      } catch (err) {
        if (err instanceof HostKeyChangedError) throw err;
        return { ...node, state: "unreachable", step: undefined };
      } finally {
        session?.close();
      }
    }),
  );
  const failedNodes = refreshed.filter((n) => n.state === "failed" || n.state === "unreachable").map((n) => n.instanceId);
  if (failedNodes.length > 0) {
    pulumi.log.warn(`ClusterBootstrap ${id}: ${failedNodes.length} node(s) failed or unreachable: ${refreshed.filter((n) => failedNodes.includes(n.instanceId)).map((n) => `${labelOf(n.instanceId, n.host)} ${n.state}${n.step ? ` in step ${n.step}` : ""}`).join("; ")}`);
  }
  return { id, props: plainJson({ ...props, nodes: refreshed, failedNodes }) };
}

export async function remove(): Promise<void> {
  // What the bootstrap wrote lives on the instances, which end with the bid.
}

/** Every node, in parallel; each node's failure is reported, all together, after all have ended. */
async function bootstrap(args: BootstrapInputs, oldPins: HostKeyPins): Promise<Props> {
  const started = Date.now();
  const nodes = rankOrder(args.instances);
  if (nodes.length !== args.numNodes) {
    throw new FlowError(`Bid ${args.bidId} has ${nodes.length} live instance(s), but the task needs ${args.numNodes}; the cluster cannot be bootstrapped.`, {
      suggestions: ["Run `pulumi refresh` to read the bid's instances again, then `pulumi up`."],
    });
  }
  const missing = nodes.filter((n) => !n.sshHost || !n.sshPort || !n.privateIp);
  if (missing.length > 0) {
    throw new FlowError(`Instance(s) ${missing.map((n) => n.id).join(", ")} of bid ${args.bidId} have no SSH destination or private IP yet.`, {
      suggestions: ['Let the bid wait for its instances (Task waitFor "running", the default), then run `pulumi up` again.'],
    });
  }
  const code = args.code ? await repackage(args.code) : undefined;
  const nodeIps = nodes.map((n) => n.privateIp!);
  const deadlineMs = args.timeoutSeconds * 1000;
  const seen: Record<string, string> = {};
  const readyAt: Record<string, string> = {};
  pulumi.log.info(`ClusterBootstrap: bid ${args.bidId}: reaching ${nodes.length} node(s) over SSH (waiting at most ${args.timeoutSeconds} s)`);

  const results = await Promise.allSettled(
    nodes.map(async (node, rank) => {
      const label = labelOf(node.id, `${node.sshHost}:${node.sshPort}`);
      const target: SshTarget = { host: node.sshHost!, port: node.sshPort!, username: args.username, privateKey: args.privateKey, label };
      const left = deadlineMs - (Date.now() - started);
      const session = await openSshSession(target, hostKeyRule(oldPins, node.id), {
        deadlineMs: Math.max(1_000, left),
        onRetry: (attempt, reason) => pulumi.log.info(`ClusterBootstrap: ${label} not reachable yet (attempt ${attempt}: ${reason}); retrying`),
      });
      try {
        seen[node.id] = session.hostKey;
        await bootstrapNode(session, {
          rank,
          numNodes: nodes.length,
          mainIp: nodeIps[0],
          nodeIps,
          masterPort: args.masterPort,
          cluster: args.cluster,
          code,
          secretEnv: args.secretEnv,
        });
        readyAt[node.id] = new Date().toISOString();
        pulumi.log.info(`ClusterBootstrap: ${label} ready as rank ${rank} of ${nodes.length}`);
      } finally {
        session.close();
      }
    }),
  );
  const failures = results.flatMap((r, i) => (r.status === "rejected" ? [{ node: nodes[i], err: r.reason as unknown }] : []));
  if (failures.length > 0) {
    const changed = failures.find((f) => f.err instanceof HostKeyChangedError);
    if (changed) throw changed.err;
    throw new FlowError(
      `The cluster of bid ${args.bidId} could not be bootstrapped: ${failures.length} of ${nodes.length} node(s) failed. ${failures
        .map((f) => nodeFailure(labelOf(f.node.id, `${f.node.sshHost}:${f.node.sshPort}`), f.err))
        .join(" | ")}. Bid ${args.bidId} stays in the stack (and keeps costing money): run \`pulumi up\` again to retry the bootstrap, or \`pulumi destroy\` to cancel the bid.`,
      {
        errorCode: "CLUSTER_BOOTSTRAP_FAILED",
        suggestions: [
          "Each node's own log is /var/log/flow/startup.log (ssh in with the Task's sshCommands).",
        ],
      },
    );
  }
  const nodeOutputs: BootstrapNode[] = nodes.map((n, rank) => ({
    instanceId: n.id,
    rank,
    host: `${n.sshHost}:${n.sshPort}`,
    privateIp: n.privateIp!,
    state: "ready",
    readyAt: readyAt[n.id],
  }));
  const clusterReadyAt = new Date().toISOString();
  pulumi.log.info(`ClusterBootstrap: bid ${args.bidId}: ${nodes.length} node(s) ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return {
    nodes: nodeOutputs,
    readyAt: clusterReadyAt,
    hostKeys: updatedPins(oldPins, seen, nodes.map((n) => n.id)),
    failedNodes: [],
  };
}

/** Packages the code directory again and insists on the bytes the program saw. */
async function repackage(code: NonNullable<BootstrapInputs["code"]>): Promise<{ bytes: Buffer; sha256: string }> {
  const packaged = await packageCode(code.dir);
  if (packaged.sha256 !== code.sha256) {
    throw new ValidationError(`The code in ${code.dir} changed between the program and the deployment (sha256 ${packaged.sha256}, expected ${code.sha256}).`, {
      field: "code",
      suggestions: ["Run `pulumi up` again with the code as it is now."],
    });
  }
  return { bytes: Buffer.from(packaged.bytes), sha256: packaged.sha256 };
}

function known(inputs: Props): BootstrapInputs {
  const parsed = clusterBootstrapInputsSchema.safeParse(withoutKeys(inputs, [...BOOTSTRAP_OUTPUT_KEYS]));
  if (!parsed.success || Object.values(parsed.data).some(isUnknown)) {
    throw new ValidationError(`ClusterBootstrap inputs are not valid at apply time: ${parsed.success ? "some are still unknown" : parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`);
  }
  return parsed.data as BootstrapInputs;
}

function idsOf(instances: unknown): string[] {
  if (!Array.isArray(instances)) return [];
  return rankOrder(instances.filter((i): i is BootstrapInstance => !!i && typeof (i as BootstrapInstance).id === "string")).map((i) => i.id);
}

function splitHost(host: string): [string, number] {
  const at = host.lastIndexOf(":");
  return [host.slice(0, at), Number(host.slice(at + 1))];
}

function labelOf(instanceId: string, host: string): string {
  return `instance ${instanceId} (${host})`;
}
