// A task (one FCP bid, found by id or name) as the SDK and the CLI see it: status mapped to the
// seed's TaskStatus, instances, waits, logs and SSH over the nodes' own SSH servers, cancel.
import { FlowError, ValidationError } from "../fcp-api/errors";
import type { Bid, Instance } from "../fcp-api/models";
import { formatPrice } from "../fcp-api/price";
import type { FcpClient } from "../fcp-client/client";
import { parseStartupStatus, type StartupStatus } from "../startup/status";
import { DEFAULT_MASTER_PORT } from "../startup/constants";
import { STARTUP_SECTION_NAMES } from "../startup/sections/section";
import { bootstrapNode, nodeFailure } from "../cluster/node-delivery";
import { openSshSession } from "../ssh/ssh-session";
import type { KeyStore } from "./key-store";
import { logCommand, READ_STATUS } from "./remote-commands";
import { sshExec, sshExecPiped, sshInteractive, sshLines, type ExecResult, type ShellOptions, type SshTarget } from "./ssh-connection";
import { TERMINAL_TASK_STATUSES, taskStatusOf, type TaskStatus } from "./task-status";

export interface TaskInstance {
  /** Node index: the cluster rank (instances ordered by id, as the cluster bootstrap ranks them). */
  node: number;
  fid: string;
  status: string;
  sshHost?: string;
  sshPort?: number;
  privateIp?: string;
}

export interface WaitOptions {
  /** @default "running" */
  until?: TaskStatus | "terminal";
  /** Seconds. @default 1800 */
  timeout?: number;
  /** @default 1000 */
  pollIntervalMs?: number;
  /** Called with each new status. */
  onStatus?: (status: TaskStatus) => void;
  signal?: AbortSignal;
}

export interface LogsOptions {
  /** Keep streaming until the task ends. @default false */
  follow?: boolean;
  /** @default 0 */
  node?: number;
  /** Lines from the end. @default - every line when not following, 100 when following */
  tail?: number;
  /** The startup script's log instead of the command's. @default false */
  startup?: boolean;
  signal?: AbortSignal;
}

/** The task did not reach the status waited for in time. */
export class TaskTimeoutError extends FlowError {
  constructor(message: string, suggestions: string[]) {
    super(message, { errorCode: "TIMEOUT", suggestions });
  }
}

export class TaskHandle {
  private nodeStatuses: Array<StartupStatus | undefined> = [];
  private instanceList: TaskInstance[] = [];
  private current: TaskStatus;
  private explicitKey?: { file: string; privateKey: string };
  /** Instance ids this handle last delivered cluster.env to; a new set (re-allocation) delivers again. */
  private bootstrapped = "";
  /** The rendezvous port (`MASTER_PORT`), when this handle's `run` knows it. */
  masterPort = DEFAULT_MASTER_PORT;

  /** @internal made by `Flow`. */
  constructor(
    private readonly client: FcpClient,
    private readonly keys: KeyStore,
    private bidValue: Bid,
    readonly sshUser = "ubuntu",
  ) {
    this.current = taskStatusOf(bidValue.status, []);
  }

  get id(): string {
    return this.bidValue.fid;
  }

  get name(): string {
    return this.bidValue.name ?? this.bidValue.fid;
  }

  get bid(): Bid {
    return this.bidValue;
  }

  /** The status at the last `refresh()` (the handle from `run`/`get` is refreshed once). */
  get status(): TaskStatus {
    return this.current;
  }

  get instances(): readonly TaskInstance[] {
    return this.instanceList;
  }

  get isTerminal(): boolean {
    return TERMINAL_TASK_STATUSES.includes(this.current);
  }

  /** Worst case per hour: limit price × instances, `"$X.XX"`. */
  get hourlyCost(): string {
    return formatPrice((this.bidValue.limitPriceCents ?? 0) * this.bidValue.instanceQuantity);
  }

  get createdAt(): string | undefined {
    return this.bidValue.createdAt;
  }

  /** Each node's status.json as last read. */
  get nodes(): ReadonlyArray<StartupStatus | undefined> {
    return this.nodeStatuses;
  }

  /**
   * SSH with this private key instead of one from ~/.flow/keys (e.g. a stack's `privateKey`
   * output, or your own key registered on FCP). `file` only names it in `sshCommand`.
   */
  useKey(privateKey: string, file = "<key file>"): this {
    this.explicitKey = { privateKey, file };
    return this;
  }

  private key(): { file: string; privateKey: string } | undefined {
    return this.explicitKey ?? this.keys.find(this.bidValue.sshKeys);
  }

  /** Reads the bid, its instances and (over SSH, when this machine holds the key) each node's status.json. */
  async refresh(): Promise<TaskStatus> {
    this.bidValue = await this.client.getBid(this.id, { maxAgeMs: 0 });
    const holdsInstances = !["pending", "provisioning", "cancelled", "failed", "paused"].includes(this.bidValue.status);
    const listed: Instance[] = holdsInstances ? await this.client.listInstances({ bid: this.id }) : [];
    // Rank order: by instance id, as ClusterBootstrap ranks a Task's nodes.
    listed.sort((a, b) => (a.fid < b.fid ? -1 : a.fid > b.fid ? 1 : 0));
    const live = listed.filter((i) => !["terminated", "preempted", "failed", "stopped"].includes(i.status));
    this.instanceList = live.map((i, node) => ({ node, fid: i.fid, status: i.status, sshHost: i.sshHost, sshPort: i.sshPort, privateIp: i.privateIp }));
    const key = this.key();
    this.nodeStatuses = key && this.instanceList.length ? await Promise.all(this.instanceList.map((i) => this.readNodeStatus(i, key.privateKey))) : [];
    if (key && (await this.bootstrapClusterIfWaiting(key.privateKey))) {
      this.nodeStatuses = await Promise.all(this.instanceList.map((i) => this.readNodeStatus(i, key.privateKey)));
    }
    const nodes = key ? this.nodeStatuses : this.instanceList.map(() => undefined);
    this.current = taskStatusOf(this.bidValue.status, holdsInstances && this.bidValue.instanceQuantity > 0 ? padTo(nodes, this.bidValue.instanceQuantity) : nodes);
    // Without the key the nodes cannot be asked: an allocated bid with instances counts as running.
    if (!key && this.current === "pending" && this.instanceList.some((i) => i.status === "running")) this.current = "running";
    return this.current;
  }

  /** Single node, no key to look with, or every node past the step that waits for cluster.env. */
  private clusterStarted(): boolean {
    if (this.bidValue.instanceQuantity < 2 || !this.key() || this.bootstrapped) return true;
    const cluster = STARTUP_SECTION_NAMES.indexOf("cluster");
    return this.nodeStatuses.length === this.bidValue.instanceQuantity && this.nodeStatuses.every((st) => st !== undefined && (st.step === "done" || (st.step !== "unpack" && STARTUP_SECTION_NAMES.indexOf(st.step) > cluster)));
  }

  /**
   * A multi-node task's startup scripts wait for /var/lib/flow/cluster.env, which a Task's
   * ClusterBootstrap writes over SSH; a task run from the SDK or CLI gets the same here: once
   * every node runs and reports waiting at the cluster step, each node gets its rank, the main IP
   * and the peers (never the API key). Returns whether it delivered.
   */
  private async bootstrapClusterIfWaiting(privateKey: string): Promise<boolean> {
    const nodes = this.instanceList;
    const want = this.bidValue.instanceQuantity;
    if (want < 2 || nodes.length !== want) return false;
    if (!nodes.every((n) => n.status === "running" && n.sshHost && n.sshPort && n.privateIp)) return false;
    const ids = nodes.map((n) => n.fid).join(",");
    if (ids === this.bootstrapped) return false;
    if (!this.nodeStatuses.some((st) => st?.status === "running" && st.step === "cluster")) return false;
    const nodeIps = nodes.map((n) => n.privateIp!);
    const results = await Promise.allSettled(
      nodes.map(async (n, rank) => {
        const label = `node ${rank} (instance ${n.fid}, ${n.sshHost}:${n.sshPort})`;
        const session = await openSshSession({ host: n.sshHost!, port: n.sshPort!, username: this.sshUser, privateKey, label }, {}, { deadlineMs: 120_000 });
        try {
          await bootstrapNode(session, { rank, numNodes: nodes.length, mainIp: nodeIps[0], nodeIps, masterPort: this.masterPort, cluster: true });
        } finally {
          session.close();
        }
      }),
    );
    const failed = results.flatMap((r, i) => (r.status === "rejected" ? [nodeFailure(`node ${i} (${nodes[i].fid})`, r.reason)] : []));
    if (failed.length) {
      throw new FlowError(`Task ${this.name} (${this.id}): the cluster could not be started on ${failed.length} of ${nodes.length} node(s): ${failed.join(" | ")}.`, {
        errorCode: "CLUSTER_BOOTSTRAP_FAILED",
        suggestions: [`The bid keeps running (and costing money): run \`flow status ${this.name}\` to try again, or \`flow cancel ${this.name}\`.`],
      });
    }
    this.bootstrapped = ids;
    return true;
  }

  /** Waits until the task reaches `until` (or any later status: a task that completed is past running). */
  async wait(options: WaitOptions = {}): Promise<TaskStatus> {
    const until = options.until ?? "running";
    const timeoutMs = (options.timeout ?? 1800) * 1000;
    const deadline = Date.now() + timeoutMs;
    let last: TaskStatus | undefined;
    for (;;) {
      const status = await this.refresh();
      if (status !== last) options.onStatus?.(status);
      last = status;
      // A cluster is running once its nodes are past the cluster step (cluster.env delivered).
      if (reached(status, until) && (status !== "running" || this.clusterStarted())) return status;
      // Waiting for completion ends at any end; the caller reads which.
      if (until === "completed" && TERMINAL_TASK_STATUSES.includes(status)) return status;
      if (TERMINAL_TASK_STATUSES.includes(status)) {
        throw new FlowError(`Task ${this.name} (${this.id}) ended ${status} before it was ${until}.`, {
          errorCode: "TASK_ENDED",
          suggestions: [`See why with \`flow logs ${this.name} --startup\`.`],
        });
      }
      if (Date.now() >= deadline) {
        throw new TaskTimeoutError(`Task ${this.name} (${this.id}) is still ${status} after ${options.timeout ?? 1800} s; waited for ${until}.`, [
          "Wait longer with --timeout, or check the spot price and capacity with `flow catalog`.",
        ]);
      }
      await delay(options.pollIntervalMs ?? 1000, options.signal);
    }
  }

  /** Log lines of one node, over SSH. With `follow`, new lines arrive as printed, until the task ends. */
  async *logs(options: LogsOptions = {}): AsyncGenerator<string> {
    const follow = options.follow ?? false;
    const target = follow ? await this.targetWhenRunning(options.node ?? 0, options.signal) : this.target(options.node ?? 0);
    const command = logCommand({ follow, tail: options.tail ?? (follow ? 100 : undefined), startup: options.startup ?? false });
    yield* sshLines(target, command, options.signal);
  }

  /** Runs `command` on a node; resolves to its exit code and output. */
  async ssh(options: { node?: number; command: string }): Promise<ExecResult> {
    if (!options.command) throw new ValidationError("ssh needs a command; use `shell()` for an interactive session.", { field: "command" });
    return sshExec(this.target(options.node ?? 0), options.command);
  }

  /** Runs `command` on a node with its output streamed to the given streams; resolves to the exit code. */
  async sshStream(options: { node?: number; command: string; stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<number> {
    return sshExecPiped(this.target(options.node ?? 0), options.command, options.stdout, options.stderr);
  }

  /** An interactive session in a pty on a node; resolves to the remote exit code. */
  async shell(options: { node?: number } & ShellOptions): Promise<number> {
    return sshInteractive(this.target(options.node ?? 0), options);
  }

  /** Cancels the bid; true when this call cancelled it, false when it was already gone. */
  async cancel(): Promise<boolean> {
    const cancelled = await this.client.cancelBid(this.id);
    await this.refresh().catch(() => undefined);
    if (this.current !== "cancelled" && cancelled) this.current = "cancelled";
    return cancelled;
  }

  /** `ssh -i KEY -p PORT ubuntu@HOST` for a node. */
  sshCommand(node = 0): string {
    const t = this.instanceList[node];
    const key = this.key();
    return `ssh${key ? ` -i ${key.file}` : ""} -p ${t?.sshPort ?? 22} ${this.sshUser}@${t?.sshHost ?? "<pending>"}`;
  }

  toJSON(): Record<string, unknown> {
    return {
      id: this.id,
      name: this.name,
      status: this.current,
      bidStatus: this.bidValue.status,
      instanceType: this.bidValue.instanceType,
      numInstances: this.bidValue.instanceQuantity,
      region: this.bidValue.region,
      hourlyCost: this.hourlyCost,
      createdAt: this.bidValue.createdAt,
      instances: this.instanceList,
      nodes: this.nodeStatuses,
    };
  }

  private target(node: number): SshTarget {
    const inst = this.instanceList[node];
    if (!inst) {
      const n = this.instanceList.length;
      throw new ValidationError(
        n ? `Task ${this.name} has nodes 0 to ${n - 1}, not ${node}.` : `Task ${this.name} (${this.id}) has no running instance yet (it is ${this.current}).`,
        { field: "node", suggestions: n ? [`Use --node between 0 and ${n - 1}.`] : ["Wait for it: `flow status` shows when it is running."] },
      );
    }
    if (!inst.sshHost) {
      throw new ValidationError(`Node ${node} of task ${this.name} has no SSH address yet.`, { field: "node", suggestions: ["Try again in a moment."] });
    }
    const key = this.key();
    if (!key) {
      throw new ValidationError(`No private key for task ${this.name} is stored here (its keys: ${this.bidValue.sshKeys.join(", ") || "none"}).`, {
        field: "sshKeys",
        suggestions: [
          "Tasks started with `flow run` keep their key in ~/.flow/keys/<key id>; for others pass --identity FILE (a stack's privateKey output).",
          `For a key of your own: ssh -i ~/.ssh/id_ed25519 -p ${inst.sshPort ?? 22} ${this.sshUser}@${inst.sshHost}`,
        ],
      });
    }
    return { host: inst.sshHost, port: inst.sshPort ?? 22, username: this.sshUser, privateKey: key.privateKey };
  }

  private async targetWhenRunning(node: number, signal?: AbortSignal): Promise<SshTarget> {
    if (!this.instanceList[node]?.sshHost) await this.wait({ until: "running", signal });
    return this.target(node);
  }

  private async readNodeStatus(inst: TaskInstance, privateKey: string): Promise<StartupStatus | undefined> {
    if (!inst.sshHost || inst.status !== "running") return undefined;
    try {
      // A node that does not answer in time is "not readable yet", never a hung status call.
      const r = await sshExec({ host: inst.sshHost, port: inst.sshPort ?? 22, username: this.sshUser, privateKey }, READ_STATUS, STATUS_READ_TIMEOUT_MS);
      return r.stdout.trim() ? parseStartupStatus(r.stdout) : undefined;
    } catch {
      return undefined;
    }
  }
}

const STATUS_READ_TIMEOUT_MS = 15_000;

const ORDER: readonly TaskStatus[] = ["pending", "running", "completed"];

function reached(status: TaskStatus, until: TaskStatus | "terminal"): boolean {
  if (until === "terminal") return TERMINAL_TASK_STATUSES.includes(status);
  if (status === until) return true;
  // A task that completed was running; failed/cancelled end a wait for something else.
  return ORDER.includes(until) && ORDER.indexOf(status) > ORDER.indexOf(until);
}

function padTo<T>(list: T[], n: number): Array<T | undefined> {
  return list.length >= n ? list : [...list, ...Array.from({ length: n - list.length }, () => undefined)];
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new FlowError("Interrupted.", { errorCode: "INTERRUPTED" }));
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(t);
      reject(new FlowError("Interrupted.", { errorCode: "INTERRUPTED" }));
    }, { once: true });
  });
}
