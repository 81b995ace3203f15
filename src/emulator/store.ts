// The emulator's state and the one way to change it. A change runs synchronously from start to
// end (validation first, then edits that cannot fail), so no two changes interleave and none is
// ever half-applied. Saving is grouped: changes made while a save is running go out together in
// the next one, and each caller is answered only once a save that includes its change is on
// disk. Reads wait for pending saves too, so nobody sees a change that a crash could undo.
import type { FidKind } from "../fcp-api/schemas/common";
import type { EmulatorClock } from "./clock";
import { fidFor } from "./ids";
import { advanceTimelines, settleMarket, type MarketContext } from "./market";
import { serializeState, type StateFile } from "./persistence";
import { initialState } from "./initial-state";
import type { SshEndpointAllocator } from "./ssh-endpoints";
import type { EmulatorState } from "./state";

export interface StoreOptions {
  state: EmulatorState;
  clock: EmulatorClock;
  provisionMs: number;
  sshEndpoint: SshEndpointAllocator;
  /** @default - 10.x addresses that are data only */
  privateIpFor?: (state: EmulatorState, seq: number) => string;
  file?: StateFile;
}

/** What a change may use besides the state: the time and new FIDs. */
export interface ChangeContext {
  now: number;
  newFid(kind: FidKind): { fid: string; seq: number };
}

export class Store {
  private current: EmulatorState;
  private version = 0;
  private savedVersion = 0;
  private saving: Promise<void> | null = null;
  private readonly file?: StateFile;
  readonly clock: EmulatorClock;
  readonly provisionMs: number;
  private readonly sshEndpoint: SshEndpointAllocator;
  private readonly privateIpFor?: (state: EmulatorState, seq: number) => string;
  private readonly listeners: Array<() => void> = [];

  constructor(options: StoreOptions) {
    this.current = options.state;
    this.clock = options.clock;
    this.provisionMs = options.provisionMs;
    this.sshEndpoint = options.sshEndpoint;
    this.privateIpFor = options.privateIpFor;
    this.file = options.file;
    // Moving the clock changes what is saved (its offset) but needs no immediate save: the
    // admin route saves explicitly, and statuses derived from time are recomputed on load.
    this.clock.onChange(() => {
      this.catchUp();
      this.version++;
      this.notify();
    });
    // A saved state is settled already; this only matters for one written by another version.
    if (this.settle()) this.version++;
  }

  /**
   * Calls `listener` after every change, read and clock move, with the state settled. It must not
   * modify the state; it may start a change of its own.
   */
  onUpdate(listener: () => void): void {
    this.listeners.push(listener);
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }

  /** The live state. Callers outside `change`/`read` must not modify it. */
  get state(): EmulatorState {
    return this.current;
  }

  /**
   * Applies a change and resolves once it is saved. `apply` must validate everything before its
   * first edit; if it throws, nothing has changed. `present` builds the answer from the settled
   * state (a new bid may already be allocated).
   */
  async change<T, R = T>(
    apply: (state: EmulatorState, ctx: ChangeContext) => T,
    present?: (result: T, state: EmulatorState) => R,
  ): Promise<R> {
    this.catchUp();
    const ctx = this.context();
    const result = apply(this.current, ctx);
    this.settle();
    this.version++;
    // The answer shows the state right after this change, not whatever a later one made of it.
    const answer = present ? present(result, this.current) : (result as unknown as R);
    this.notify();
    await this.flush();
    return answer;
  }

  /** Runs a read on the state as of now; answers once every earlier change is saved. */
  async read<T>(view: (state: EmulatorState, now: number) => T): Promise<T> {
    const now = this.catchUp();
    const result = view(this.current, now);
    this.notify();
    await this.flush();
    return result;
  }

  /** Back to the initial state (initial-state.ts); FIDs keep counting so none is ever reused. */
  async reset(): Promise<void> {
    await this.change((state) => {
      this.current = initialState(state.seed, this.clock.now(), state.seq, this.clock.offsetMs);
    });
  }

  /** Waits until everything changed so far is on disk. */
  async flush(): Promise<void> {
    const target = this.version;
    while (this.savedVersion < target) {
      if (!this.saving) {
        this.saving = this.saveOnce().finally(() => {
          this.saving = null;
        });
      }
      await this.saving;
    }
  }

  /** Writes what is there now, or just marks it saved when there is no file. */
  private async saveOnce(): Promise<void> {
    const version = this.version;
    if (this.file) {
      this.current.clockOffsetMs = this.clock.offsetMs;
      this.current.savedAt = this.clock.now();
      await this.file.save(serializeState(this.current));
    }
    this.savedVersion = Math.max(this.savedVersion, version);
  }

  /**
   * Moves provisioning bids along with time. Allocation never depends on time alone (only on
   * changes, after each of which the market is settled), so reads need no more than this.
   */
  private catchUp(): number {
    const now = this.clock.now();
    advanceTimelines(this.current, now, this.provisionMs);
    return now;
  }

  /** Settles the market after a change. True when allocations or preemptions changed something. */
  private settle(): boolean {
    const ctx: MarketContext = { ...this.context(), provisionMs: this.provisionMs, sshEndpoint: this.sshEndpoint, privateIpFor: this.privateIpFor };
    const changed = settleMarket(this.current, ctx);
    advanceTimelines(this.current, ctx.now, this.provisionMs);
    return changed;
  }

  private context(): ChangeContext {
    const state = this.current;
    return {
      now: this.clock.now(),
      newFid(kind) {
        state.seq += 1;
        return { fid: fidFor(kind, state.seed, String(state.seq)), seq: state.seq };
      },
    };
  }
}
