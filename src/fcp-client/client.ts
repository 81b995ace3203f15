// The typed FCP v2 client: every endpoint of the seed, camelCase models, retries for safe
// requests, safe creates, pagination, a shared bid lookup cache and a concurrency cap. Requests
// are shaped in the dialect in force (`dialect.ts`, `wire.ts`): the seed's or the live service's.
import { randomBytes } from "node:crypto";
import type { Dispatcher } from "undici";
import { z } from "zod";
import { BidCache } from "./bid-cache";
import { BidPoller, type PollerStats, type BidWaitOptions, type BidWaitResult } from "./bid-poller";
import { type FlowConfigInput, type LoadConfigContext, loadConfig, requireApiKey, resolveProjectFidIn } from "./config";
import { createSafely } from "./create-safely";
import { autoStartDialect, type Dialect, DialectState, type DialectSetting } from "./dialect";
import { APIError, ProviderError, ResourceNotFoundError, ValidationAPIError, ValidationError } from "../fcp-api/errors";
import { DEFAULT_API_URL, HttpTransport, type HttpRequest, type HttpResponse, type RequestStats } from "./http";
import { InstanceTypeCatalog } from "./instance-type-catalog";
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
import { volumeWire } from "../fcp-api/schemas/volume";
import { sameSet } from "../util/same-set";
import { bidListQuery, createBidBody, createVolumeBody, instanceListQuery, updateBidBody } from "./wire";

/** How long one listing of the project's required SSH keys serves createBid (admins change them rarely). */
const REQUIRED_KEYS_TTL_MS = 10_000;

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
  /** Time between the bid poller's rounds while bids are waited for (`waitForBid`). @default 5000 */
  pollIntervalMs?: number;
  /** Page size of the poller's listings: the largest the server takes, so a round is one page. @default 1000 */
  pollPageSize?: number;
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
  /**
   * Wire dialect: `seed` (the FCP v2 reference, the emulator's default), `mithril` (the live
   * service's OpenAPI), or `auto`: start with `seed` and switch when a 422 comes back in the
   * other dialect's error format, re-sending that one refused request in the new shape.
   *
   * @default "auto"
   */
  dialect?: DialectSetting;
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
  catalog?: InstanceTypeCatalog;
  overrides?: Record<string, string>;
  bidCaches: Map<string, BidCache>;
  bidPollers: Map<string, BidPoller>;
  dialect: DialectState;
  /** False once the server showed it has no `GET /v2/spot/bids/{fid}` (404/405 for a listed bid). */
  singleBidGet: boolean;
  /** The project's required keys: one listing serves the creates of the next few seconds. */
  requiredKeys: Map<string, { keys: Promise<string[]>; listedAt: number }>;
}

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
        bidPollers: new Map(),
        dialect: new DialectState(options.dialect ?? "auto", autoStartDialect(options.apiUrl ?? DEFAULT_API_URL)),
        singleBidGet: true,
        requiredKeys: new Map(),
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
      dialect: config.dialect,
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

  /** The dialect requests are built in now (with `auto`, it changes on the first telling 422). */
  get dialect(): Dialect {
    return this.shared.dialect.dialect;
  }

  /** The configured dialect setting (`auto`, `seed` or `mithril`). */
  get dialectSetting(): DialectSetting {
    return this.shared.dialect.setting;
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
    return { fid: u.fid ?? u.id ?? u.user_id, username: u.username ?? u.user_name ?? undefined, email: u.email };
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
    if (!this.shared.catalog) {
      // The cached listing serves every caller, so it runs with the client's own settings.
      const configured = new FcpClient(this.shared.options, this.shared, {});
      this.shared.catalog = new InstanceTypeCatalog({
        ttlMs: cfg?.catalogTtlMs,
        now: () => this.shared.clock.now(),
        list: () => configured.listInstanceTypes(),
      });
    }
    if (options.signal?.aborted) throw options.signal.reason;
    return this.shared.catalog.get();
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
   * The project's required SSH keys are added to the bid's keys. Never creates two bids: see
   * `createSafely`, and `DialectState.switchOn` for the one re-send after a dialect switch.
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
    const listing = this.sharedRequiredSshKeys(project, options);
    const post = (required: readonly string[]) => this.postBid({ input, project, region, instanceType, limitPriceCents, name, required }, options);
    const required = await listing.keys;
    let bid: Bid;
    try {
      bid = await post(required);
    } catch (e) {
      // A bid without a key made required after the cached listing is refused (422, so nothing was
      // created): list again and, when that finds another key, send once more.
      if (!(e instanceof ValidationAPIError) || !listing.reused) throw e;
      const fresh = await this.sharedRequiredSshKeys(project, options, true).keys;
      if (sameSet(fresh, required)) throw e;
      bid = await post(fresh);
    }
    this.bidCache(project).put(bid);
    return bid;
  }

  /** One bid POST (create-safely, in the dialect in force) with the project's required keys added. */
  private async postBid(
    p: { input: CreateBidInput; project: string; region: string; instanceType: InstanceType; limitPriceCents: number; name: string; required: readonly string[] },
    options: RequestOptions,
  ): Promise<Bid> {
    const { input, project, region, instanceType, limitPriceCents, name } = p;
    const sshKeys = [...new Set([...(input.sshKeys ?? []), ...p.required])];
    // The limits both dialects share (name, price, quantity) are checked once, before any send.
    const wire = validateRequest(createBidRequestWire, {
      project,
      region,
      instance_type: instanceType.fid,
      limit_price: formatPrice(limitPriceCents),
      ssh_keys: sshKeys,
      startup_script: input.startupScript ?? "",
      volumes: input.volumes ?? [],
      name,
      instance_quantity: input.instanceQuantity ?? 1,
    });
    const core = {
      project,
      region,
      instanceType: wire.instance_type,
      limitPrice: wire.limit_price,
      instanceQuantity: wire.instance_quantity,
      name,
    };
    const launch = { sshKeys: wire.ssh_keys, startupScript: wire.startup_script, volumes: wire.volumes ?? [] };
    return this.inDialect(
      (dialect) => ({ method: "POST", path: "/v2/spot/bids", body: createBidBody(dialect, core, launch) }),
      (req) =>
        this.createOnce(
          "bid",
          name,
          req,
          options,
          (body) => toBid(parse(bidWire, unwrapData(body), "POST /v2/spot/bids")),
          async () => (await this.listBids({ project }, options)).filter((b) => b.name === name),
          (b) => b.instanceType === instanceType.fid && (!b.region || b.region === region),
          (b) => b.createdAt,
        ),
    );
  }

  /**
   * `GET /v2/spot/bids`, every page: `await client.listBids()` for an array, or
   * `for await (const bid of client.listBids())` to stream. A status filter is also applied
   * here, since the live service's status enum cannot express every status.
   */
  listBids(filter: ListBidsFilter = {}, options: RequestOptions = {}): PagedList<Bid> {
    return this.paged(
      "/v2/spot/bids",
      bidWire,
      async (dialect) =>
        bidListQuery(dialect, {
          project: await this.optionalProject(filter.project, options),
          instanceType: filter.instanceType,
          region: filter.region,
          status: filter.status,
          pageSize: filter.limit ?? this.shared.options.pageSize,
        }),
      options,
      toBid,
      (b) => filter.status === undefined || b.status === filter.status,
    );
  }

  /**
   * One bid by FID. On the live dialect `GET /v2/spot/bids/{fid}` is asked first; the seed has no
   * single-bid GET, so there (and where the server answers 404/405) lookups share listings:
   * concurrent calls join one listing, and bids listed within `maxAgeMs` are served from the cache.
   */
  async getBid(fid: string, options: GetBidOptions = {}): Promise<Bid> {
    const project = await this.optionalProject(undefined, options);
    const cache = this.bidCache(project);
    const cached = cache.peek(fid, options.maxAgeMs);
    if (cached) return cached;
    if (this.dialect !== "mithril" || !this.shared.singleBidGet) return cache.get(fid, options.maxAgeMs, options.signal);
    const path = `/v2/spot/bids/${encodeURIComponent(fid)}`;
    try {
      const res = await this.call({ method: "GET", path }, options, true);
      const bid = toBid(parse(bidWire, unwrapData(res.body), `GET ${path}`));
      cache.put(bid);
      return bid;
    } catch (e) {
      const status = e instanceof APIError || e instanceof ResourceNotFoundError ? e.statusCode : undefined;
      if (status !== 404 && status !== 405) throw e;
      if (status === 405) this.shared.singleBidGet = false;
    }
    const listed = await cache.get(fid, 0, options.signal);
    // Listed, yet 404 from the single GET: the server has no such endpoint; stop asking it.
    this.shared.singleBidGet = false;
    return listed;
  }

  /**
   * Waits until `until` holds for the bid and its instances, sharing one bid listing and one
   * instance listing per poll round with every other wait of this client (bid-poller.ts).
   */
  async waitForBid(fid: string, options: BidWaitOptions & RequestOptions): Promise<BidWaitResult> {
    const project = await this.optionalProject(undefined, options);
    return this.bidPoller(project).wait(fid, options);
  }

  /** The poller's counters (rounds and listings); for tests and benches. */
  async bidPollerStats(options: RequestOptions = {}): Promise<PollerStats & { waiting: number }> {
    const project = await this.optionalProject(undefined, options);
    const poller = this.bidPoller(project);
    return { ...poller.stats, waiting: poller.waiting };
  }

  /**
   * `PATCH /v2/spot/bids/{fid}`: the limit price and the paused flag; on the live dialect also
   * the volumes. Nothing else on a bid can change.
   */
  async updateBid(fid: string, input: UpdateBidInput, options: RequestOptions = {}): Promise<Bid> {
    const cents = priceInput(input.limitPriceCents, input.limitPrice, "limitPrice", false);
    const wire = validateRequest(updateBidRequestWire, {
      limit_price: cents === undefined ? undefined : formatPrice(cents),
      paused: input.paused,
      volumes: input.volumes,
    });
    if (wire.limit_price === undefined && wire.paused === undefined && wire.volumes === undefined) {
      throw new ValidationError("updateBid needs limitPrice, paused or volumes; nothing else on a bid can change.", {
        field: "limitPrice",
        suggestions: ["To change anything else, cancel the bid and create a new one."],
      });
    }
    const path = `/v2/spot/bids/${encodeURIComponent(fid)}`;
    const patch = { limitPrice: wire.limit_price, paused: wire.paused, volumes: wire.volumes };
    const res = await this.inDialect(
      (dialect) => ({ method: "PATCH", path, body: updateBidBody(dialect, patch) }),
      (req) => this.call(req, options, true),
    );
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

  /**
   * `GET /v2/instances`, every page (awaitable and async-iterable). The bid and status filters
   * are also applied here, so a server that ignores one still gives the right answer.
   */
  listInstances(filter: ListInstancesFilter = {}, options: RequestOptions = {}): PagedList<Instance> {
    return this.paged(
      "/v2/instances",
      instanceWire,
      async (dialect) =>
        instanceListQuery(dialect, {
          project: await this.optionalProject(filter.project, options),
          instanceType: filter.instanceType,
          region: filter.region,
          bid: filter.bid,
          instanceStatus: filter.status,
          pageSize: filter.limit ?? this.shared.options.pageSize,
        }),
      options,
      (i) => i,
      (i) => (!filter.bid || i.bid === undefined || i.bid === filter.bid) && (!filter.status || i.status === filter.status),
    );
  }

  // --- Volumes ------------------------------------------------------------------------------

  /**
   * `POST /v2/volumes`, never duplicated (found by name after an ambiguous failure). On the live
   * dialect the name must be a DNS label (checked before sending).
   */
  async createVolume(input: CreateVolumeInput, options: RequestOptions = {}): Promise<Volume> {
    const region = input.region ?? this.shared.options.region;
    if (!region) {
      throw new ValidationError("createVolume needs a region.", { field: "region", suggestions: ["Pass region, or set FCP_REGION."] });
    }
    if (!Number.isInteger(input.sizeGb) || input.sizeGb < 1) {
      throw new ValidationError(`Volume size ${input.sizeGb} GB is invalid: use a whole number of at least 1.`, { field: "sizeGb" });
    }
    const fields = { name: input.name, sizeGb: input.sizeGb, interface: input.interface ?? "block", region };
    // Checked before any network call, in the dialect in force.
    createVolumeBody(this.dialect, { ...fields, project: "proj_unresolved" });
    const project = await this.resolveProjectFid(input.project, options);
    return this.inDialect(
      (dialect) => ({ method: "POST", path: "/v2/volumes", body: createVolumeBody(dialect, { ...fields, project }) }),
      (req) =>
        this.createOnce(
          "volume",
          input.name,
          req,
          options,
          (b) => toVolume(parse(volumeWire, unwrapData(b), "POST /v2/volumes")),
          async () => (await this.listVolumes({ project }, options)).filter((v) => v.name === input.name),
          (v) => (!v.region || v.region === region) && (!v.sizeGb || v.sizeGb === input.sizeGb),
          (v) => v.createdAt,
        ),
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
    if (input.required && this.dialectSetting === "seed") throw requiredKeysNeedMithril();
    const project = await this.resolveProjectFid(input.project, options);
    const body = validateRequest(createSshKeyRequestWire, { name: input.name, project, public_key: input.publicKey, required: input.required });
    const samePublicKey = (k: SshKey) => !input.publicKey || !k.publicKey || sameKey(k.publicKey, input.publicKey);
    return this.inDialect(
      // The seed knows no `required`; it is only sent when asked for.
      (dialect) => ({ method: "POST", path: "/v2/ssh-keys", body: stripUndefined(dialect === "mithril" ? body : { ...body, required: body.required || undefined }) }),
      (req) =>
        this.createOnce(
          "SSH key",
          input.name,
          req,
          options,
          (b) => toSshKey(parse(sshKeyWire, unwrapData(b), "POST /v2/ssh-keys")),
          async () => (await this.listSshKeys({ project }, options)).filter((k) => k.name === input.name),
          samePublicKey,
          (k) => k.createdAt,
        ),
    );
  }

  /** `GET /v2/ssh-keys`. */
  async listSshKeys(filter: { project?: string } = {}, options: RequestOptions = {}): Promise<SshKey[]> {
    const project = await this.optionalProject(filter.project, options);
    return this.listAll("/v2/ssh-keys", sshKeyWire, { project }, options, toSshKey);
  }

  /**
   * FIDs of the project's required SSH keys (live service: admins mark them; the service expects
   * them on every bid). A server without the flag, or without an SSH key listing, has none.
   */
  async requiredSshKeys(filter: { project?: string } = {}, options: RequestOptions = {}): Promise<string[]> {
    try {
      return (await this.listSshKeys(filter, options)).filter((k) => k.required).map((k) => k.fid);
    } catch (e) {
      if (e instanceof ResourceNotFoundError) return [];
      throw e;
    }
  }

  /**
   * `requiredSshKeys` for createBid: one listing serves every create that starts within
   * REQUIRED_KEYS_TTL_MS of it (the Pulumi CLI sends 256 creates over seconds, not at once), so
   * a key made required is on the bids created from then on, a few seconds later at most.
   */
  private sharedRequiredSshKeys(project: string, options: RequestOptions, refresh = false): { keys: Promise<string[]>; reused: boolean } {
    const now = this.shared.clock.now();
    const cached = this.shared.requiredKeys.get(project);
    if (cached && !refresh && now - cached.listedAt < REQUIRED_KEYS_TTL_MS) return { keys: cached.keys, reused: true };
    const entry = { keys: this.requiredSshKeys({ project }, options), listedAt: now };
    // A failed listing is not kept: the next create asks again.
    entry.keys.catch(() => {
      if (this.shared.requiredKeys.get(project) === entry) this.shared.requiredKeys.delete(project);
    });
    this.shared.requiredKeys.set(project, entry);
    return { keys: entry.keys, reused: false };
  }

  /** `PATCH /v2/ssh-keys/{fid}` (live service only): mark a key required for every bid, or not. */
  async updateSshKey(fid: string, input: { required: boolean }, options: RequestOptions = {}): Promise<SshKey> {
    if (this.dialectSetting === "seed") throw requiredKeysNeedMithril();
    const path = `/v2/ssh-keys/${encodeURIComponent(fid)}`;
    const res = await this.call({ method: "PATCH", path, body: { required: input.required } }, options, true);
    return toSshKey(parse(sshKeyWire, unwrapData(res.body), `PATCH ${path}`));
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

  /**
   * Builds a request in the dialect in force and sends it. With `auto`, a 422 written in the
   * other dialect's format switches the dialect, and the request is built again and sent once
   * more, unless it comes out the same. The re-send is safe for creates: see
   * `DialectState.switchOn`.
   */
  private async inDialect<T>(build: (dialect: Dialect) => HttpRequest | Promise<HttpRequest>, send: (req: HttpRequest) => Promise<T>): Promise<T> {
    const first = await build(this.dialect);
    try {
      return await send(first);
    } catch (e) {
      const next = this.shared.dialect.switchOn(e);
      if (next === undefined) throw e;
      const again = await build(next);
      if (JSON.stringify(again) === JSON.stringify(first)) throw e;
      return send(again);
    }
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

  /**
   * A listing of every page; `query` is built once per dialect. Items failing `keep` are dropped
   * (filters a server may not apply itself).
   */
  private paged<W extends z.ZodTypeAny, T>(
    path: string,
    schema: W,
    query: (dialect: Dialect) => Promise<HttpRequest["query"]>,
    options: RequestOptions,
    map: (w: z.output<W>) => T,
    keep: (t: T) => boolean = () => true,
  ): PagedList<T> {
    const pageSchema = pageOf(schema);
    const resolved = new Map<Dialect, Promise<HttpRequest["query"]>>();
    const queryIn = (dialect: Dialect) => {
      let q = resolved.get(dialect);
      if (!q) {
        q = query(dialect);
        resolved.set(dialect, q);
      }
      return q;
    };
    return new PagedList<T>(
      async (cursor): Promise<Page<T>> => {
        const res = await this.inDialect(
          async (dialect) => ({ method: "GET", path, query: { ...(await queryIn(dialect)), next_cursor: cursor } }),
          (req) => this.call(req, options, true),
        );
        const page = parse(pageSchema, res.body, `GET ${path}`);
        return { data: (page.data as Array<z.output<W>>).map(map).filter(keep), nextCursor: page.nextCursor };
      },
      { maxPages: this.shared.options.maxPages, what: `GET ${path}` },
    );
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

  private bidPoller(project: string | undefined): BidPoller {
    const key = project ?? "";
    let poller = this.shared.bidPollers.get(key);
    if (!poller) {
      // Like the cache: the poller serves every waiter of this client, with the client's own settings.
      const configured = new FcpClient(this.shared.options, this.shared, {});
      const limit = this.shared.options.pollPageSize ?? 1000;
      const cache = this.bidCache(project);
      poller = new BidPoller({
        listBids: () => configured.listBids({ project, limit }).toArray(),
        // Filtered to the one bid when only one needs its instances (both dialects filter by one bid).
        listInstances: (fids) => configured.listInstances({ project, limit, bid: fids.length === 1 ? fids[0] : undefined }).toArray(),
        intervalMs: () => this.shared.options.pollIntervalMs ?? 5000,
        onBids: (bids) => bids.forEach((b) => cache.put(b)),
        now: () => this.shared.clock.now(),
      });
      this.shared.bidPollers.set(key, poller);
    }
    return poller;
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

function requiredKeysNeedMithril(): ValidationError {
  return new ValidationError("Required SSH keys are a feature of the live (mithril) API; the FCP v2 reference has no `required` flag.", {
    field: "required",
    suggestions: ["Set dialect to auto or mithril (FCP_DIALECT) when talking to the live service, or leave `required` out."],
  });
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
