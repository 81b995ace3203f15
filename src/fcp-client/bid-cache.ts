// The seed has no single-bid GET (and the live service's may be missing): a lookup is then a
// listing. Many concurrent `getBid` calls therefore share one listing (single-flight) and a
// short-TTL cache, which this client's own creates, updates, cancels and single GETs write through.
import { BidNotFoundError } from "../fcp-api/errors";
import type { Bid } from "../fcp-api/models";

export interface BidCacheOptions {
  /** How long a listed bid may be served without listing again. */
  ttlMs: number;
  now: () => number;
  /** Lists every bid in scope (all pages). */
  listAll: () => Promise<Bid[]>;
  /** Named in the not-found message, e.g. the project. */
  scope?: string;
}

interface Entry {
  bid: Bid;
  /** When the data was known true: a listing's start, or a write's answer. */
  at: number;
}

interface Flight {
  startedAt: number;
  done: Promise<void>;
}

export class BidCache {
  private readonly entries = new Map<string, Entry>();
  private flight?: Flight;
  /** Listings this cache started; the bench reads it. */
  listings = 0;

  constructor(private readonly options: BidCacheOptions) {}

  /**
   * The bid, from the cache when younger than `maxAgeMs`, else from a listing shared with every
   * concurrent caller. Throws BidNotFoundError only after a listing that began after this call.
   */
  async get(fid: string, maxAgeMs = this.options.ttlMs, signal?: AbortSignal): Promise<Bid> {
    const requestedAt = this.options.now();
    const fresh = this.lookup(fid, requestedAt, maxAgeMs);
    if (fresh) return fresh;
    // Join the listing in flight when its data is young enough for this caller.
    if (this.flight && this.flight.startedAt >= requestedAt - maxAgeMs) {
      const joined = this.flight;
      await joined.done;
      const hit = this.listedSince(fid, joined.startedAt);
      if (hit) return hit;
      // A listing that began before this call cannot prove absence; fall through to a new one.
      if (joined.startedAt >= requestedAt) throw this.notFound(fid);
    }
    const flight = this.startListing(requestedAt);
    if (signal?.aborted) throw signal.reason;
    await flight.done;
    const hit = this.listedSince(fid, flight.startedAt);
    if (hit) return hit;
    throw this.notFound(fid);
  }

  /** The cached bid when younger than `maxAgeMs`, without listing. */
  peek(fid: string, maxAgeMs = this.options.ttlMs): Bid | undefined {
    return this.lookup(fid, this.options.now(), maxAgeMs);
  }

  /** Write-through of a bid this client just created, updated or fetched alone. */
  put(bid: Bid): void {
    this.entries.set(bid.fid, { bid, at: this.options.now() });
  }

  /** Write-through of this client's own cancel. */
  markCancelled(fid: string): void {
    const entry = this.entries.get(fid);
    if (entry) this.entries.set(fid, { bid: { ...entry.bid, status: "cancelled" }, at: this.options.now() });
  }

  invalidate(fid?: string): void {
    if (fid === undefined) this.entries.clear();
    else this.entries.delete(fid);
  }

  /** Cached and younger than `maxAgeMs` (so 0 never hits). */
  private lookup(fid: string, now: number, maxAgeMs: number): Bid | undefined {
    const entry = this.entries.get(fid);
    return entry && now - entry.at < maxAgeMs ? entry.bid : undefined;
  }

  /** Known from a listing that started at `since`, or from a later write. */
  private listedSince(fid: string, since: number): Bid | undefined {
    const entry = this.entries.get(fid);
    return entry && entry.at >= since ? entry.bid : undefined;
  }

  private startListing(requestedAt: number): Flight {
    // Reuse a flight that started at or after this call: it already proves what this one would.
    if (this.flight && this.flight.startedAt >= requestedAt) return this.flight;
    const startedAt = this.options.now();
    this.listings++;
    const flight: Flight = {
      startedAt,
      // Shared by every joined caller, so no single caller's signal may cancel it.
      done: this.options.listAll().then((bids) => {
        const listed = new Set<string>();
        for (const bid of bids) {
          listed.add(bid.fid);
          const current = this.entries.get(bid.fid);
          // A write-through answer newer than this listing's start wins over the listing.
          if (!current || current.at <= startedAt) this.entries.set(bid.fid, { bid, at: startedAt });
        }
        for (const [fid, entry] of this.entries) {
          if (!listed.has(fid) && entry.at <= startedAt) this.entries.delete(fid);
        }
      }),
    };
    this.flight = flight;
    const clear = () => {
      if (this.flight === flight) this.flight = undefined;
    };
    flight.done.then(clear, clear);
    return flight;
  }

  private notFound(fid: string): BidNotFoundError {
    return new BidNotFoundError(`Bid ${fid} was not found${this.options.scope ? ` in ${this.options.scope}` : ""}.`, {
      resourceType: "bid",
      resourceId: fid,
      suggestions: [
        "It may have been cancelled and removed outside this program; run `pulumi refresh`.",
        "Check that the client uses the project the bid belongs to.",
      ],
    });
  }
}
