// The typed FCP v2 client: every endpoint of the seed, camelCase models, retries for safe
// requests, safe creates, pagination, a shared bid lookup cache and a concurrency cap.
import { randomBytes } from "node:crypto";
import type { Dispatcher } from "undici";
import { z } from "zod";
import { BidCache } from "./bid-cache";
import { type FlowConfigInput, type LoadConfigContext, loadConfig, requireApiKey, resolveProjectFidIn } from "./config";
import { createSafely } from "./create-safely";
import { ProviderError, ResourceNotFoundError, ValidationError } from "../fcp-api/errors";
import { HttpTransport, type HttpRequest, type HttpResponse, type RequestStats } from "./http";
import {
  BUILTIN_CATALOG,
  type InstanceTypeRequirements,
  type InstanceTypeSelection,
  instanceTypeFromWire,
  loadInstanceTypeOverrides,
  resolveInstanceType,
  selectInstanceType,
  useBuiltinInstanceMappings,
} from "../fcp-api/instance-types";
import type {
  Bid,
  CreateBidInput,
  CreateSshKeyInput,
  CreateVolumeInput,
  Instance,
  InstanceType,
  ListBidsFilter,
  ListInstancesFilter,
  Project,
  RequestOptions,
  SpotAvailability,
  SpotAvailabilityFilter,
  SshKey,
  UpdateBidInput,
  User,
  Volume,
} from "../fcp-api/models";
import { type Page, PagedList } from "./pagination";
import { formatPrice, parsePriceCents } from "../fcp-api/price";
import { type Clock, DEFAULT_RETRY_POLICY, type RetryPolicy, systemClock, withRetry } from "./retry";
import { auctionWire } from "../fcp-api/schemas/auction";
import { bidWire, createBidRequestWire, updateBidRequestWire } from "../fcp-api/schemas/bid";
import { pageOf } from "../fcp-api/schemas/common";
import { instanceWire } from "../fcp-api/schemas/instance";
import { instanceTypeWire } from "../fcp-api/schemas/instance-type";
import { projectWire } from "../fcp-api/schemas/project";
import { createSshKeyRequestWire, sshKeyWire } from "../fcp-api/schemas/ssh-key";
import { userWire } from "../fcp-api/schemas/user";
import { createVolumeRequestWire, volumeWire } from "../fcp-api/schemas/volume";

export interface FcpClientOptions {
  /** FCP API key; registered as a secret and never shown in any message. */
  apiKey: string;
  /** @default "https://api.mlfoundry.com" */
  apiUrl?: string;
  /**
   * Project name or FID, used when a call does not name one.
   *
   * @default - calls that need a project must name one
   */
  project?: string;
  /** @default - calls that need a region must name one */
  region?: string;
  /** Deadline of one HTTP attempt. @default 30000 */
  timeoutMs?: number;
  /** @default 10000 */
  connectTimeoutMs?: number;
  /** Retries after the first attempt. @default 4 */
  maxRetries?: number;
  /** No retry starts later than this after a call began. @default 120000 */
  retryDeadlineMs?: number;
  /** First backoff ceiling (doubles per attempt, full jitter). @default 500 */
  retryBaseDelayMs?: number;
  /** @default 20000 */
  maxRetryDelayMs?: number;
  /** Requests in flight at once for this client. @default 8 */
  maxConcurrency?: number;
  /** How long `getBid` may serve a listed bid. @default 2000 */
  bidCacheTtlMs?: number;
  /** Safety cap of a listing. @default 1000 */
  maxPages?: number;
  /** Page size asked of paginated listings (bids, instances), sent as `limit`. @default - the server's */
  pageSize?: number;
  /** Wait between the two absence checks after an ambiguous create. @default 1000 */
  createSettleMs?: number;
  /**
   * Instance type sources.
   *
   * @default - builtin when FCP_USE_BUILTIN_INSTANCE_MAPPINGS=true, else the live catalog; overrides from ~/.flow/instance_types.json and FCP_INSTANCE_MAPPINGS
   */
  instanceTypes?: { useBuiltin?: boolean; overrides?: Record<string, string>; catalogTtlMs?: number };
  /** Environment for instance type settings. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /** Home directory for `~/.flow/instance_types.json`. @default - os.homedir() */
  homeDir?: string;
  /** Time source for retries and caches; tests inject a fake. @default - real time */
  clock?: Partial<Clock>;
  /** An undici dispatcher to use instead of the client's own keep-alive Agent. */
  dispatcher?: Dispatcher;
}

export interface GetBidOptions extends RequestOptions {
  /** Serve a cached bid only when younger than this; 0 forces a listing. @default - bidCacheTtlMs */
  maxAgeMs?: number;
}

interface SharedState {
  transport: HttpTransport;
  clock: Clock;
  policy: RetryPolicy;
  options: FcpClientOptions;
  projects?: Promise<Project[]>;
  catalog?: { at: number; value: Promise<InstanceType[]> };
  overrides?: Record<string, string>;
  bidCaches: Map<string, BidCache>;
}

const DEFAULT_CATALOG_TTL_MS = 10 * 60_000;

/**
 * Typed client of the FCP (ML Foundry) v2 API.
 *
 * @example
 * const fcp = new FcpClient({ apiKey: process.env.FCP_API_KEY!, project: "my-project", region: "us-central1-b" });
 * const bid = await fcp.createBid({ name: "train-1", instanceType: "a100", limitPrice: "$15.00" });
 * for await (const b of fcp.listBids()) console.log(b.name, b.status);
 */
export class FcpClient {
  private readonly shared: SharedState;
  private readonly defaults: RequestOptions;

  constructor(options: FcpClientOptions);
  /** @internal used by `withOptions` to share state. */
  constructor(options: FcpClientOptions, shared: SharedState, defaults: RequestOptions);
  constructor(options: FcpClientOptions, shared?: SharedState, defaults?: RequestOptions) {
    if (shared) {
      this.shared = shared;
      this.defaults = defaults ?? {};
    } else {
      const clock: Clock = { ...systemClock, ...options.clock };
      this.shared = {
        clock,
        options: { ...options, apiKey: "" },
        policy: {
          ...DEFAULT_RETRY_POLICY,
          maxRetries: options.maxRetries ?? DEFAULT_RETRY_POLICY.maxRetries,
          deadlineMs: options.retryDeadlineMs ?? DEFAULT_RETRY_POLICY.deadlineMs,
          baseDelayMs: options.retryBaseDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs,
          maxDelayMs: options.maxRetryDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
        },
        transport: new HttpTransport({
          apiKey: options.apiKey,
          apiUrl: options.apiUrl,
          timeoutMs: options.timeoutMs,
          connectTimeoutMs: options.connectTimeoutMs,
          maxConcurrency: options.maxConcurrency,
          dispatcher: options.dispatcher,
          now: () => clock.now(),
        }),
        bidCaches: new Map(),
      };
      this.defaults = { timeoutMs: options.timeoutMs, maxRetries: options.maxRetries };
    }
    // The options copy above holds no key; keep even the shared state out of inspect/JSON.
    Object.defineProperty(this, "shared", { enumerable: false });
  }

  /**
   * A client from `loadConfig` (explicit args, FLOW_ and FCP_ env vars, .flow/config.yaml files,
   * ~/.flow/credentials.fcp), plus any other client options.
   */
  static fromConfig(
    explicit: FlowConfigInput = {},
    options: Omit<FcpClientOptions, "apiKey" | "apiUrl" | "project" | "region"> & { context?: LoadConfigContext } = {},
  ): FcpClient {
    const { context, ...rest } = options;
    const config = loadConfig(explicit, context);
    return new FcpClient({
      ...rest,
      apiKey: requireApiKey(config),
      apiUrl: config.apiUrl,
      project: config.project,
      region: config.region,
      env: rest.env ?? context?.env,
      homeDir: rest.homeDir ?? context?.homeDir,
    });
  }

  /** A client that shares this one's connections, caches and limits, with other call defaults. */
  withOptions(options: RequestOptions): FcpClient {
    return new FcpClient(this.shared.options, this.shared, { ...this.defaults, ...stripUndefined(options) });
  }

  get apiUrl(): string {
    return this.shared.transport.apiUrl;
  }

  get project(): string | undefined {
    return this.shared.options.project;
  }

  get region(): string | undefined {
    return this.shared.options.region;
  }

  /** Attempts sent so far, by `METHOD path`. */
  get requestStats(): RequestStats {
    return this.shared.transport.stats;
  }

  /** Closes idle connections. */
  async close(): Promise<void> {
    await this.shared.transport.close();
  }

  toJSON(): Record<string, unknown> {
    return { apiUrl: this.apiUrl, project: this.project, region: this.region };
  }

  // --- Projects and user ------------------------------------------------------------------

  /** `GET /v2/projects`. */
  async listProjects(options: RequestOptions = {}): Promise<Project[]> {
    return this.listAll("/v2/projects", projectWire, {}, options, (p) => ({ fid: p.fid, name: p.name, createdAt: p.created_at }));
  }

  /** A project name or FID to its FID; the listing is fetched once per client. */
  async resolveProjectFid(project?: string, options: RequestOptions = {}): Promise<string> {
    const wanted = project ?? this.shared.options.project;
    if (!wanted) {
      throw new ValidationError("No FCP project was given.", {
        field: "project",
        suggestions: ["Pass project, or set FCP_PROJECT / FLOW_PROJECT, or `project:` in ~/.flow/config.yaml."],
      });
    }
    this.shared.projects ??= this.listProjects(options).catch((e: unknown) => {
      this.shared.projects = undefined;
      throw e;
    });
    return resolveProjectFidIn(wanted, await this.shared.projects);
  }

  /** The owner of the API key (`GET /v2/me`). */
  async getCurrentUser(options: RequestOptions = {}): Promise<User> {
    const res = await this.call({ method: "GET", path: "/v2/me" }, options, true);
    const wrapped = z.object({ data: userWire }).safeParse(res.body);
    const u = wrapped.success ? wrapped.data.data : parse(userWire, res.body, "GET /v2/me");
    return { fid: u.fid ?? u.id ?? u.user_id, username: u.username, email: u.email };
  }

  // --- Instance types and availability ----------------------------------------------------

  /** `GET /v2/instance-types`. */
  async listInstanceTypes(options: RequestOptions = {}): Promise<InstanceType[]> {
    return this.listAll("/v2/instance-types", instanceTypeWire, {}, options, instanceTypeFromWire);
  }

  /**
   * The catalog used to resolve names: the seed's built-in table when so configured, else the
   * live listing, cached for `catalogTtlMs`.
   */
  async getInstanceTypeCatalog(options: RequestOptions = {}): Promise<InstanceType[]> {
    const cfg = this.shared.options.instanceTypes;
    if (cfg?.useBuiltin ?? useBuiltinInstanceMappings(this.shared.options.env ?? process.env)) return [...BUILTIN_CATALOG];
    const ttl = cfg?.catalogTtlMs ?? DEFAULT_CATALOG_TTL_MS;
    const now = this.shared.clock.now();
    const cached = this.shared.catalog;
    if (cached && now - cached.at <= ttl) return cached.value;
    const value = this.listInstanceTypes(options);
    this.shared.catalog = { at: now, value };
    value.catch(() => {
      if (this.shared.catalog?.value === value) this.shared.catalog = undefined;
    });
    return value;
  }

  /** Any accepted spelling (`a100`, `2xa100`, `a100-80gb.sxm.1x`, `it_...`, an override) to a catalog entry. */
  async resolveInstanceType(spec: string, options: RequestOptions = {}): Promise<InstanceType> {
    const overrides = this.instanceTypeOverrides();
    const catalog = await this.getInstanceTypeCatalog(options);
    if (overrides[spec] === undefined && /^it_/.test(spec) && !catalog.some((t) => t.fid === spec)) {
      // A FID the catalog does not list (a newer type, or the built-in table): the server judges it.
      return { fid: spec, name: spec, numGpus: 0 };
    }
    return resolveInstanceType(spec, catalog, overrides);
  }

  /** The cheapest type on offer meeting the requirements (see `selectInstanceType`). */
  async selectInstanceType(req: InstanceTypeRequirements, options: RequestOptions = {}): Promise<InstanceTypeSelection> {
    const [catalog, availability] = await Promise.all([
      this.getInstanceTypeCatalog(options),
      this.getSpotAvailability({ region: req.region }, options),
    ]);
    return selectInstanceType(req, catalog, availability);
  }

  /** `GET /v2/spot/availability`, filtered here by region and instance type FID. */
  async getSpotAvailability(filter: SpotAvailabilityFilter = {}, options: RequestOptions = {}): Promise<SpotAvailability[]> {
    const all = await this.listAll("/v2/spot/availability", auctionWire, {}, options, (a) => ({
      fid: a.fid,
      instanceType: a.instance_type,
      region: a.region,
      capacity: a.capacity,
      lastInstancePrice: a.last_instance_price,
      lastInstancePriceCents: parsePriceCents(a.last_instance_price, "last_instance_price"),
    }));
    return all.filter(
      (a) => (!filter.region || a.region === filter.region) && (!filter.instanceType || a.instanceType === filter.instanceType),
    );
  }

  // --- Bids ---------------------------------------------------------------------------------

  /**
   * `POST /v2/spot/bids`. The instance type may be any accepted spelling; it is sent as a FID.
   * Never creates two bids: see `createSafely`.
   */
  async createBid(input: CreateBidInput, options: RequestOptions = {}): Promise<Bid> {
    const region = input.region ?? this.shared.options.region;
    if (!region) {
      throw new ValidationError("createBid needs a region.", {
        field: "region",
        suggestions: ["Pass region, or set FCP_REGION / FLOW_REGION."],
      });
    }
    const limitPriceCents = priceInput(input.limitPriceCents, input.limitPrice, "limitPrice", true)!;
    const name = input.name ?? `pulumi-fcp-${randomBytes(4).toString("hex")}`;
    const [project, instanceType] = await Promise.all([
      this.resolveProjectFid(input.project, options),
      this.resolveInstanceType(input.instanceType, options),
    ]);
    const wire = validateRequest(createBidRequestWire, {
      project,
      region,
      instance_type: instanceType.fid,
      limit_price: formatPrice(limitPriceCents),
      ssh_keys: input.sshKeys ?? [],
      startup_script: input.startupScript ?? "",
      volumes: input.volumes ?? [],
      name,
      instance_quantity: input.instanceQuantity ?? 1,
    });
    const bid = await this.createOnce(
      "bid",
      name,
      { method: "POST", path: "/v2/spot/bids", body: wire },
      options,
      (body) => toBid(parse(bidWire, unwrapData(body), "POST /v2/spot/bids")),
      async () => (await this.listBids({ project }, options)).filter((b) => b.name === name),
      (b) => b.instanceType === instanceType.fid && (!b.region || b.region === region),
      (b) => b.createdAt,
    );
    this.bidCache(project).put(bid);
    return bid;
  }

  /**
   * `GET /v2/spot/bids`, every page: `await client.listBids()` for an array, or
   * `for await (const bid of client.listBids())` to stream.
   */
  listBids(filter: ListBidsFilter = {}, options: RequestOptions = {}): PagedList<Bid> {
    return this.paged("/v2/spot/bids", bidWire, () => this.filterQuery(filter, options), options, toBid);
  }

  /**
   * One bid by FID. There is no single-bid GET, so lookups share listings: concurrent calls join
   * one listing, and bids listed within `maxAgeMs` are served from the cache.
   */
  async getBid(fid: string, options: GetBidOptions = {}): Promise<Bid> {
    const project = await this.optionalProject(undefined, options);
    return this.bidCache(project).get(fid, options.maxAgeMs, options.signal);
  }

  /** `PATCH /v2/spot/bids/{fid}`: only the limit price and the paused flag can change. */
  async updateBid(fid: string, input: UpdateBidInput, options: RequestOptions = {}): Promise<Bid> {
    const cents = priceInput(input.limitPriceCents, input.limitPrice, "limitPrice", false);
    const wire = validateRequest(updateBidRequestWire, {
      limit_price: cents === undefined ? undefined : formatPrice(cents),
      paused: input.paused,
    });
    if (wire.limit_price === undefined && wire.paused === undefined) {
      throw new ValidationError("updateBid needs limitPrice or paused; nothing else on a bid can change.", {
        field: "limitPrice",
        suggestions: ["To change anything else, cancel the bid and create a new one."],
      });
    }
    const path = `/v2/spot/bids/${encodeURIComponent(fid)}`;
    const res = await this.call({ method: "PATCH", path, body: stripUndefined(wire) }, options, true);
    const project = await this.optionalProject(undefined, options);
    const cache = this.bidCache(project);
    const parsed = bidWire.safeParse(unwrapData(res.body));
    if (parsed.success) {
      const bid = toBid(parsed.data);
      cache.put(bid);
      return bid;
    }
    cache.invalidate(fid);
    return cache.get(fid, 0, options.signal);
  }

  /**
   * `DELETE /v2/spot/bids/{fid}`, retried through transient failures. Resolves true when FCP
   * accepted the cancel, which includes a bid already cancelled (FCP answers 204 again, so a
   * retried DELETE whose first answer was lost resolves true); false only when FCP does not know
   * the bid (404).
   */
  async cancelBid(fid: string, options: RequestOptions = {}): Promise<boolean> {
    const deleted = await this.deleteIgnoringNotFound(`/v2/spot/bids/${encodeURIComponent(fid)}`, options);
    const project = await this.optionalProject(undefined, options).catch(() => undefined);
    this.bidCache(project).markCancelled(fid);
    return deleted;
  }

  // --- Instances ----------------------------------------------------------------------------

  /** `GET /v2/instances`, every page (awaitable and async-iterable). */
  listInstances(filter: ListInstancesFilter = {}, options: RequestOptions = {}): PagedList<Instance> {
    return this.paged("/v2/instances", instanceWire, () => this.filterQuery(filter, options), options, (i) => i);
  }

  // --- Volumes ------------------------------------------------------------------------------

  /** `POST /v2/volumes`, never duplicated (found by name after an ambiguous failure). */
  async createVolume(input: CreateVolumeInput, options: RequestOptions = {}): Promise<Volume> {
    const region = input.region ?? this.shared.options.region;
    if (!region) {
      throw new ValidationError("createVolume needs a region.", { field: "region", suggestions: ["Pass region, or set FCP_REGION."] });
    }
    if (!Number.isInteger(input.sizeGb) || input.sizeGb < 1) {
      throw new ValidationError(`Volume size ${input.sizeGb} GB is invalid: use a whole number of at least 1.`, { field: "sizeGb" });
    }
    const iface = input.interface ?? "block";
    const project = await this.resolveProjectFid(input.project, options);
    const body = {
      name: input.name,
      size_gb: input.sizeGb,
      interface: iface,
      // The live service reads `disk_interface`; the seed reads `interface`. Both are sent.
      disk_interface: iface === "file" ? "File" : "Block",
      project,
      region,
    } as const;
    // The request schema's limits (name length, size) are checked before anything is sent.
    validateRequest(createVolumeRequestWire, body);
    return this.createOnce(
      "volume",
      input.name,
      { method: "POST", path: "/v2/volumes", body },
      options,
      (b) => toVolume(parse(volumeWire, unwrapData(b), "POST /v2/volumes")),
      async () => (await this.listVolumes({ project }, options)).filter((v) => v.name === input.name),
      (v) => (!v.region || v.region === region) && (!v.sizeGb || v.sizeGb === input.sizeGb),
      (v) => v.createdAt,
    );
  }

  /** `GET /v2/volumes`. */
  async listVolumes(filter: { project?: string; region?: string } = {}, options: RequestOptions = {}): Promise<Volume[]> {
    const project = await this.optionalProject(filter.project, options);
    const all = await this.listAll("/v2/volumes", volumeWire, { project }, options, toVolume);
    return all.filter((v) => !filter.region || v.region === filter.region);
  }

  /** `DELETE /v2/volumes/{fid}`: true when deleted now, false when already gone. */
  async deleteVolume(fid: string, options: RequestOptions = {}): Promise<boolean> {
    return this.deleteIgnoringNotFound(`/v2/volumes/${encodeURIComponent(fid)}`, options);
  }

  // --- SSH keys -----------------------------------------------------------------------------

  /**
   * `POST /v2/ssh-keys`, never duplicated. Without `publicKey` the server generates a pair and
   * returns `privateKey` once: keep it secret.
   */
  async createSshKey(input: CreateSshKeyInput, options: RequestOptions = {}): Promise<SshKey> {
    if (input.publicKey !== undefined && /PRIVATE KEY/.test(input.publicKey)) {
      // Refused here, so a private key never leaves this machine (nor comes back in an error).
      throw new ValidationError("publicKey holds a private key; send the public half (the .pub file's line) instead.", {
        field: "publicKey",
        suggestions: ["Leave publicKey out to have FCP generate a pair, or pass the contents of the .pub file."],
      });
    }
    const project = await this.resolveProjectFid(input.project, options);
    const body = validateRequest(createSshKeyRequestWire, { name: input.name, project, public_key: input.publicKey });
    const samePublicKey = (k: SshKey) => !input.publicKey || !k.publicKey || sameKey(k.publicKey, input.publicKey);
    return this.createOnce(
      "SSH key",
      input.name,
      { method: "POST", path: "/v2/ssh-keys", body: stripUndefined(body) },
      options,
      (b) => toSshKey(parse(sshKeyWire, unwrapData(b), "POST /v2/ssh-keys")),
      async () => (await this.listSshKeys({ project }, options)).filter((k) => k.name === input.name),
      samePublicKey,
      (k) => k.createdAt,
    );
  }

  /** `GET /v2/ssh-keys`. */
  async listSshKeys(filter: { project?: string } = {}, options: RequestOptions = {}): Promise<SshKey[]> {
    const project = await this.optionalProject(filter.project, options);
    return this.listAll("/v2/ssh-keys", sshKeyWire, { project }, options, toSshKey);
  }

  /** `DELETE /v2/ssh-keys/{fid}`: true when deleted now, false when already gone. */
  async deleteSshKey(fid: string, options: RequestOptions = {}): Promise<boolean> {
    return this.deleteIgnoringNotFound(`/v2/ssh-keys/${encodeURIComponent(fid)}`, options);
  }

  // --- Plumbing -----------------------------------------------------------------------------

  /** One logical request: attempts with retries for idempotent methods. */
  private async call(req: HttpRequest, options: RequestOptions, idempotent: boolean): Promise<HttpResponse> {
    const { merged, policy } = this.callSettings(options);
    return withRetry(
      () => this.shared.transport.request({ ...req, timeoutMs: merged.timeoutMs, signal: merged.signal }),
      { policy, clock: this.shared.clock, idempotent, signal: merged.signal },
    );
  }

  private async createOnce<T>(
    resourceType: string,
    name: string,
    req: HttpRequest,
    options: RequestOptions,
    toModel: (body: unknown) => T,
    findByName: () => Promise<T[]>,
    matches: (t: T) => boolean,
    createdAt: (t: T) => string | undefined,
  ): Promise<T> {
    const { merged, policy } = this.callSettings(options);
    // One key for every send of this logical create, for servers that honour idempotency keys.
    const idempotencyKey = `pulumi-fcp-${randomBytes(12).toString("hex")}`;
    return createSafely({
      resourceType,
      name,
      policy,
      clock: this.shared.clock,
      signal: merged.signal,
      settleMs: this.shared.options.createSettleMs,
      send: async () => {
        const res = await this.shared.transport.request({
          ...req,
          headers: { "idempotency-key": idempotencyKey },
          timeoutMs: merged.timeoutMs,
          signal: merged.signal,
        });
        return toModel(res.body);
      },
      findByName,
      matches,
      createdAt,
    });
  }

  /** Per-call options over this client's defaults, and the retry policy they give. */
  private callSettings(options: RequestOptions): { merged: RequestOptions; policy: RetryPolicy } {
    const merged = { ...this.defaults, ...stripUndefined(options) };
    return { merged, policy: { ...this.shared.policy, maxRetries: merged.maxRetries ?? this.shared.policy.maxRetries } };
  }

  private async deleteIgnoringNotFound(path: string, options: RequestOptions): Promise<boolean> {
    try {
      await this.call({ method: "DELETE", path }, options, true);
      return true;
    } catch (e) {
      if (e instanceof ResourceNotFoundError) return false;
      throw e;
    }
  }

  /** A listing of every page; `query` is resolved once, on the first page. */
  private paged<W extends z.ZodTypeAny, T>(
    path: string,
    schema: W,
    query: () => Promise<HttpRequest["query"]>,
    options: RequestOptions,
    map: (w: z.output<W>) => T,
  ): PagedList<T> {
    const pageSchema = pageOf(schema);
    let resolved: Promise<HttpRequest["query"]> | undefined;
    return new PagedList<T>(
      async (cursor): Promise<Page<T>> => {
        resolved ??= query();
        const res = await this.call({ method: "GET", path, query: { ...(await resolved), next_cursor: cursor } }, options, true);
        const page = parse(pageSchema, res.body, `GET ${path}`);
        return { data: (page.data as Array<z.output<W>>).map(map), nextCursor: page.nextCursor };
      },
      { maxPages: this.shared.options.maxPages, what: `GET ${path}` },
    );
  }

  /** The query of a filtered listing (bids, instances): project resolved, configured page size. */
  private async filterQuery(filter: ListInstancesFilter, options: RequestOptions): Promise<HttpRequest["query"]> {
    return {
      project: await this.optionalProject(filter.project, options),
      instance_type: filter.instanceType,
      region: filter.region,
      status: filter.status,
      bid: filter.bid,
      limit: this.shared.options.pageSize,
    };
  }

  private listAll<W extends z.ZodTypeAny, T>(
    path: string,
    schema: W,
    query: Record<string, string | undefined>,
    options: RequestOptions,
    map: (w: z.output<W>) => T,
  ): Promise<T[]> {
    return this.paged(path, schema, async () => query, options, map).toArray();
  }

  private async optionalProject(project: string | undefined, options: RequestOptions): Promise<string | undefined> {
    if (!project && !this.shared.options.project) return undefined;
    return this.resolveProjectFid(project, options);
  }

  private bidCache(project: string | undefined): BidCache {
    const key = project ?? "";
    let cache = this.shared.bidCaches.get(key);
    if (!cache) {
      // The cache outlives this call and its listings serve every caller (and every `withOptions`
      // copy), so they run with the client's own settings: no caller's per-call options.
      const configured = new FcpClient(this.shared.options, this.shared, {});
      cache = new BidCache({
        ttlMs: this.shared.options.bidCacheTtlMs ?? 2000,
        now: () => this.shared.clock.now(),
        scope: project ? `project ${project}` : undefined,
        listAll: () => configured.listBids({ project }).toArray(),
      });
      this.shared.bidCaches.set(key, cache);
    }
    return cache;
  }

  private instanceTypeOverrides(): Record<string, string> {
    const o = this.shared.options;
    this.shared.overrides ??= {
      ...loadInstanceTypeOverrides({ env: o.env, homeDir: o.homeDir }),
      ...o.instanceTypes?.overrides,
    };
    return this.shared.overrides;
  }
}

function toBid(b: z.output<typeof bidWire>): Bid {
  return {
    ...b,
    limitPriceCents: b.limitPrice === undefined ? undefined : parsePriceCents(b.limitPrice, "limit_price"),
  };
}

function toVolume(v: z.output<typeof volumeWire>): Volume {
  return v;
}

function toSshKey(k: z.output<typeof sshKeyWire>): SshKey {
  return k;
}

function sameKey(a: string, b: string): boolean {
  const body = (k: string) => k.trim().split(/\s+/).slice(0, 2).join(" ");
  return body(a) === body(b);
}

/** Some servers wrap a single object as `{data: {...}}`. */
function unwrapData(body: unknown): unknown {
  const wrapped = z.object({ data: z.record(z.string(), z.unknown()) }).safeParse(body);
  return wrapped.success && !("fid" in (body as Record<string, unknown>)) ? wrapped.data.data : body;
}

function parse<S extends z.ZodTypeAny>(schema: S, body: unknown, what: string): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data as z.output<S>;
  const issues = result.error.issues.slice(0, 5).map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
  throw new ProviderError(`${what} answered in an unexpected shape: ${issues.join("; ")}.`, {
    errorCode: "UNEXPECTED_RESPONSE",
    suggestions: ["The FCP API may have changed; check for a newer pulumi-fcp."],
  });
}

function validateRequest<S extends z.ZodTypeAny>(schema: S, value: z.input<S>): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data as z.output<S>;
  const fieldErrors = result.error.issues.map((i) => ({ field: i.path.join(".") || "request", message: i.message }));
  throw new ValidationError(`Invalid request: ${fieldErrors.map((f) => `${f.field} ${f.message}`).join("; ")}.`, {
    field: fieldErrors[0]?.field,
    fieldErrors,
  });
}

function priceInput(cents: number | undefined, dollars: number | string | undefined, field: string, required: boolean): number | undefined {
  if (cents !== undefined && dollars !== undefined) {
    throw new ValidationError(`Give ${field}Cents or ${field}, not both.`, { field });
  }
  if (cents !== undefined) {
    if (!Number.isInteger(cents) || cents < 0) {
      throw new ValidationError(`Invalid ${field}Cents ${cents}: use a non-negative whole number of cents.`, { field: `${field}Cents` });
    }
    return cents;
  }
  if (dollars !== undefined) return parsePriceCents(dollars, field);
  if (required) {
    throw new ValidationError(`A ${field} is required (dollars per instance-hour, e.g. "$15.00").`, { field });
  }
  return undefined;
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
