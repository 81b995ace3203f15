// Keeps the booted instances in step with the emulator's state: an instance that appears gets an
// SSH server on its loopback address (so its ssh_destination is known before it runs); one that
// reaches `running` boots; one that is terminated, preempted, cancelled or reset away is stopped
// (processes killed, SSH closed) and its disk removed. A poweroff the instance asks for ends it
// at emulator time. At most `maxBooted` instances run at once; the rest wait, with a reason.
import { promises as fs, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { utils } from "ssh2";
import { BUILTIN_INSTANCE_TYPES } from "../../fcp-api/builtin-catalog";
import { generateEd25519KeyPair } from "../../ssh/generate-key-pair";
import { endBid } from "../market";
import { isLiveBid, type EmulatorState, type InstanceRecord } from "../state";
import type { Store } from "../store";
import { iso } from "../views";
import type { BootedInstance, InstanceRuntime, VolumeAttachment } from "./runtime";
import { InstanceSshServer } from "./ssh-server";
import type { GpuSpec } from "./stubs";

export const DEFAULT_MAX_BOOTED = 16;

export type BootState = "starting" | "waiting" | "booting" | "booted" | "failed" | "stopped";

export interface InstanceBootView {
  runtime: string;
  state: BootState;
  /** Why it waits or failed. */
  reason: string | null;
  ssh_host_key_fingerprint: string | null;
  boot_ms: number | null;
  host_pid: number | null;
  startup_exit_code: number | null;
  startup_log_tail: string;
  power_off_at: string | null;
}

interface Entry {
  fid: string;
  state: BootState;
  reason: string | null;
  server?: InstanceSshServer;
  booted?: BootedInstance;
  bootMs: number | null;
  powerOffAt: number | null;
  /** Resolves when the SSH server has its port and the state says so. */
  bound: Promise<void>;
  booting?: Promise<void>;
  stopping?: Promise<void>;
}

export interface FleetOptions {
  store: Store;
  runtime: InstanceRuntime;
  /** Where instance disks and volume data live; kept across restarts when `keep` is true. */
  dataDir: string;
  keep: boolean;
  maxBooted: number;
  log: (line: string) => void;
}

function gpuOf(instanceType: string): GpuSpec {
  const t = BUILTIN_INSTANCE_TYPES.find((x) => x.fid === instanceType);
  return { count: t?.num_gpus ?? 1, model: t?.gpu_type ?? "NVIDIA GPU", memoryGb: t?.gpu_memory_gb ?? 80 };
}

export class InstanceFleet {
  private readonly entries = new Map<string, Entry>();
  private scheduled = false;
  private closed = false;
  private timer?: NodeJS.Timeout;
  private readonly pending = new Set<Promise<unknown>>();
  private refuseRule?: (instance: { fid: string; bid: string }) => boolean;

  constructor(private readonly options: FleetOptions) {
    options.store.onUpdate(() => this.schedule());
  }

  static async dataDirFor(statePath: string | undefined): Promise<{ dir: string; keep: boolean }> {
    if (statePath) {
      const dir = `${path.resolve(statePath)}.instances`;
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
      return { dir, keep: true };
    }
    return { dir: await fs.mkdtemp(path.join(os.tmpdir(), "fcp-emulator-instances-")), keep: false };
  }

  get runtimeName(): string {
    return this.options.runtime.name;
  }

  /** Boots what the state says runs (a restart is a reboot) and waits until SSH addresses are set. */
  async start(): Promise<void> {
    await this.pruneVolumes();
    this.reconcile();
    await Promise.all([...this.entries.values()].map((e) => e.bound));
  }

  /** Waits until every boot and stop started so far has finished (for tests and shutdown). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  describe(fid: string): Promise<InstanceBootView | undefined> {
    const e = this.entries.get(fid);
    if (!e) return Promise.resolve(undefined);
    const base = {
      runtime: this.options.runtime.name,
      state: e.state,
      reason: e.reason,
      ssh_host_key_fingerprint: e.server?.fingerprint ?? null,
      boot_ms: e.bootMs,
      host_pid: e.booted?.pid ?? null,
      power_off_at: e.powerOffAt === null ? null : iso(e.powerOffAt),
    };
    if (!e.booted) return Promise.resolve({ ...base, startup_exit_code: null, startup_log_tail: "" });
    return e.booted.startup().then((s) => ({ ...base, startup_exit_code: s.exitCode, startup_log_tail: s.logTail }));
  }

  async describeAll(): Promise<Record<string, InstanceBootView>> {
    const out: Record<string, InstanceBootView> = {};
    for (const fid of this.entries.keys()) {
      const view = await this.describe(fid);
      if (view) out[fid] = view;
    }
    return out;
  }

  /**
   * Fault knob for tests in the same process: while `rule` says so for an instance, connections to
   * its SSH server are closed before the handshake (an instance whose sshd is not up yet). Pass
   * undefined to lift it. Each refusal is counted (`sshRefusals`).
   */
  refuseSsh(rule: ((instance: { fid: string; bid: string }) => boolean) | undefined): void {
    this.refuseRule = rule;
  }

  /** How many connections to the instance's SSH server `refuseSsh` closed. */
  sshRefusals(fid: string): number {
    return this.entries.get(fid)?.server?.refusedConnections ?? 0;
  }

  /** The booted instance, for tests in the same process. */
  instance(fid: string): BootedInstance | undefined {
    return this.entries.get(fid)?.booted;
  }

  /** Stops every instance; their disks stay when the state is kept (the next start reboots them). */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.settled();
    await Promise.all([...this.entries.values()].map((e) => this.stop(e, this.options.keep)));
    await this.settled();
    await this.pruneVolumes();
    if (!this.options.keep) await fs.rm(this.options.dataDir, { recursive: true, force: true });
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p)).catch(() => undefined);
    return p;
  }

  // Updates come from inside changes; acting on them waits until the change is over.
  private schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      if (!this.closed) this.reconcile();
    });
  }

  private reconcile(): void {
    const state = this.options.store.state;
    const now = this.options.store.clock.now();
    for (const [fid, entry] of this.entries) {
      const record = state.instances[fid];
      if (!record || record.status === "terminated") {
        this.entries.delete(fid);
        void this.track(this.stop(entry, false));
      }
    }
    const live = Object.values(state.instances)
      .filter((i) => i.status !== "terminated")
      .sort((a, b) => a.seq - b.seq);
    for (const record of live) {
      if (!this.entries.has(record.fid)) this.entries.set(record.fid, this.create(record));
    }
    let booted = [...this.entries.values()].filter((e) => e.state === "booting" || e.state === "booted").length;
    for (const record of live) {
      const entry = this.entries.get(record.fid)!;
      if (entry.powerOffAt !== null && now >= entry.powerOffAt) {
        void this.track(this.powerOff(record.fid, entry.powerOffAt));
        continue;
      }
      if (record.status !== "running" || (entry.state !== "starting" && entry.state !== "waiting")) continue;
      if (booted >= this.options.maxBooted) {
        if (entry.state !== "waiting") {
          entry.reason = `not booted: ${booted} instances are booted already, the most --max-booted (${this.options.maxBooted}) allows. Cancel a bid, or start the emulator with a higher --max-booted.`;
          this.options.log(`fcp-emulator: instance ${record.fid} ${entry.reason}`);
        }
        entry.state = "waiting";
        continue;
      }
      booted++;
      entry.state = "booting";
      entry.reason = null;
      entry.booting = this.track(this.boot(entry, record, state));
    }
    this.armTimer(state, now);
  }

  /** Wakes up when the next instance is due to run or to power off, even if nobody asks. */
  private armTimer(state: EmulatorState, now: number): void {
    clearTimeout(this.timer);
    let next = Infinity;
    const half = Math.floor(this.options.store.provisionMs / 2);
    for (const bid of Object.values(state.bids)) {
      if (bid.allocatedAt !== null && (bid.status === "provisioning" || bid.status === "allocated")) next = Math.min(next, bid.allocatedAt + half);
    }
    for (const e of this.entries.values()) if (e.powerOffAt !== null) next = Math.min(next, e.powerOffAt);
    if (next === Infinity) return;
    this.timer = setTimeout(() => void this.options.store.read(() => undefined), Math.max(0, next - now) + 1);
    this.timer.unref();
  }

  private instanceDir(fid: string): string {
    return path.join(this.options.dataDir, "instances", fid);
  }

  private create(record: InstanceRecord): Entry {
    const fid = record.fid;
    const entry: Entry = { fid, state: "starting", reason: null, bootMs: null, powerOffAt: null, bound: Promise.resolve() };
    entry.bound = this.track(
      (async () => {
        // Synchronous up to listen(), so the port is known before anyone can read the instance.
        const hostKey = this.hostKey(fid);
        const server = new InstanceSshServer({
          address: record.privateIp,
          hostKey,
          authorizedKeys: () => this.authorizedKeys(fid),
          instance: () => (entry.state === "booted" ? entry.booted : undefined),
          refuse: () => this.refuseRule?.({ fid, bid: record.bid }) ?? false,
        });
        entry.server = server;
        const destination = await server.listen();
        if (this.entries.get(fid) !== entry) return;
        await this.options.store.change((state) => {
          const i = state.instances[fid];
          if (i && i.status !== "terminated") i.sshDestination = destination;
        });
      })().catch((err: Error) => {
        entry.state = "failed";
        entry.reason = `its SSH server could not start on ${record.privateIp}: ${err.message}`;
        this.options.log(`fcp-emulator: instance ${fid} ${entry.reason}`);
      }),
    );
    return entry;
  }

  /** The instance's ed25519 host key, kept on its disk so a reboot keeps its identity. */
  private hostKey(fid: string): string {
    const dir = this.instanceDir(fid);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = path.join(dir, "ssh_host_ed25519_key");
    let key: string | undefined;
    try {
      key = readFileSync(file, "utf8");
      if (utils.parseKey(key) instanceof Error) key = undefined;
    } catch {
      key = undefined;
    }
    if (key) return key;
    // ssh2 makes a malformed ed25519 pair about 1 time in 256 (the server then refuses the key):
    // the shared generator retries until both halves parse.
    key = generateEd25519KeyPair(`host-${fid}`).privateKey;
    writeFileSync(`${file}.tmp`, key, { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
    return key;
  }

  private authorizedKeys(fid: string): string[] {
    const state = this.options.store.state;
    const bid = state.bids[state.instances[fid]?.bid ?? ""];
    if (!bid) return [];
    // The project's required keys get in too, as on the live service (mithril's `required`).
    const required = Object.values(state.sshKeys).filter((k) => k.required && k.project === bid.project).map((k) => k.fid);
    return [...new Set([...bid.sshKeys, ...required])].map((k) => (Object.hasOwn(state.sshKeys, k) ? state.sshKeys[k].publicKey : undefined)).filter((k): k is string => typeof k === "string");
  }

  private async volumeDir(fid: string): Promise<string> {
    const dir = path.join(this.options.dataDir, "volumes", fid);
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    return dir;
  }

  private async boot(entry: Entry, record: InstanceRecord, state: EmulatorState): Promise<void> {
    const started = Date.now();
    try {
      await entry.bound;
      const bid = state.bids[record.bid];
      const volumes: VolumeAttachment[] = [];
      for (const v of bid?.volumes ?? []) {
        const volume = state.volumes[v];
        if (volume) volumes.push({ fid: v, interface: volume.interface, hostDir: await this.volumeDir(v) });
      }
      const booted = await this.options.runtime.boot({
        instanceFid: record.fid,
        bidFid: record.bid,
        dir: this.instanceDir(record.fid),
        firstBoot: true,
        startupScript: bid?.startupScript ?? "",
        gpu: gpuOf(record.instanceType),
        volumes,
        authorizedKeys: this.authorizedKeys(record.fid),
      });
      if (this.entries.get(record.fid) !== entry || this.closed) {
        await booted.stop();
        return;
      }
      entry.booted = booted;
      entry.state = "booted";
      entry.bootMs = Date.now() - started;
      booted.onPowerOffRequest((seconds) => {
        entry.powerOffAt = this.options.store.clock.now() + seconds * 1000;
        this.schedule();
      });
      booted.onExit((reason) => {
        if (entry.state !== "booted" || this.entries.get(record.fid) !== entry) return;
        entry.state = "stopped";
        entry.reason = `stopped on its own: ${reason}`;
        void this.track(this.powerOff(record.fid, this.options.store.clock.now()));
      });
    } catch (err) {
      entry.state = "failed";
      entry.reason = `boot failed: ${(err as Error).message}`;
      this.options.log(`fcp-emulator: instance ${record.fid} ${entry.reason}`);
    }
  }

  /** The instance is off: terminated at `at`; its bid ends when none of its instances is left. */
  private async powerOff(fid: string, at: number): Promise<void> {
    await this.options.store.change((state, { now }) => {
      const instance = state.instances[fid];
      if (!instance || instance.status === "terminated") return;
      instance.status = "terminated";
      instance.terminatedAt = at;
      const bid = state.bids[instance.bid];
      if (bid && isLiveBid(bid) && bid.instances.every((f) => state.instances[f]?.status === "terminated")) endBid(state, bid, "terminated", now);
    });
  }

  private stop(entry: Entry, keepDisk: boolean): Promise<void> {
    entry.stopping ??= (async () => {
      entry.state = "stopped";
      await entry.bound.catch(() => undefined);
      await entry.booting;
      await Promise.all([entry.server?.close(), entry.booted?.stop()]);
      if (!keepDisk) await fs.rm(this.instanceDir(entry.fid), { recursive: true, force: true });
    })();
    return entry.stopping;
  }

  /** Volume data of volumes that no longer exist is removed. */
  async pruneVolumes(): Promise<void> {
    const dir = path.join(this.options.dataDir, "volumes");
    if (!existsSync(dir)) return;
    const state = this.options.store.state;
    for (const fid of readdirSync(dir)) if (!state.volumes[fid]) await fs.rm(path.join(dir, fid), { recursive: true, force: true });
  }
}
