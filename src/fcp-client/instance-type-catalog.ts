// The instance type catalog used to resolve names: one listing shared by every caller for a TTL,
// forgotten when it fails so the next caller tries again.
import type { InstanceType } from "../fcp-api/models";

export const DEFAULT_CATALOG_TTL_MS = 10 * 60_000;

export interface InstanceTypeCatalogOptions {
  /** Lists the catalog (`GET /v2/instance-types`). */
  list: () => Promise<InstanceType[]>;
  now: () => number;
  /** @default 600000 */
  ttlMs?: number;
}

export class InstanceTypeCatalog {
  private cached?: { at: number; value: Promise<InstanceType[]> };

  constructor(private readonly options: InstanceTypeCatalogOptions) {}

  /** The cached listing while younger than the TTL, else a new one (shared by concurrent callers). */
  get(): Promise<InstanceType[]> {
    const ttl = this.options.ttlMs ?? DEFAULT_CATALOG_TTL_MS;
    const now = this.options.now();
    if (this.cached && now - this.cached.at <= ttl) return this.cached.value;
    const value = this.options.list();
    const entry = { at: now, value };
    this.cached = entry;
    value.catch(() => {
      if (this.cached === entry) this.cached = undefined;
    });
    return value;
  }
}
