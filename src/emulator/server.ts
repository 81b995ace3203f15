// startEmulator: a plain node:http server speaking FCP v2, with the admin API beside it.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { randomInt } from "node:crypto";
import { EmulatorAdmin, adminRouter } from "./admin";
import type { ApiContext, ApiHandler, ApiResponse } from "./api";
import { WRITE_METHODS, apiRouter } from "./api-routes";
import { ApiKeys } from "./auth";
import { EmulatorClock } from "./clock";
import { FaultInjector } from "./faults";
import { DEFAULT_MAX_BODY_BYTES, readJsonBody, sendJson } from "./http-io";
import { randomRequestId } from "./ids";
import { DEFAULT_HEADERS_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS, applySlowClientLimits, checkLimits, checkingIntervalFor } from "./slow-clients";
import { StateFile } from "./persistence";
import { ApiProblem, notFound } from "./problem";
import { RequestLog } from "./request-log";
import type { Router } from "./router";
import { DEV_API_KEY, initialState } from "./initial-state";
import { loopbackSshEndpoints, type SshEndpointAllocator } from "./ssh-endpoints";
import { Store } from "./store";
import { freeLoopbackAddress, unboundDestination } from "./instances/addresses";
import { chooseRuntime, type InstancesMode } from "./instances/choose-runtime";
import { DEFAULT_MAX_BOOTED, InstanceFleet } from "./instances/fleet";
import { DIALECT_SETTINGS, resolveDialect, type EmulatorDialect } from "./dialects/dialect";
import { mithrilErrorBody } from "./dialects/mithril/errors";
import { mithrilRouter } from "./dialects/mithril/routes";
import { OpenApiResponses } from "./dialects/openapi-responses";

export interface EmulatorOptions {
  /**
   * Which wire dialect to speak: "seed" (the seed's FCP v2 reference) or "mithril" (the live
   * Mithril OpenAPI: nested launch_specification, capitalised statuses, FastAPI errors, ...).
   *
   * @default - FCP_EMULATOR_DIALECT, else "seed"
   */
  dialect?: EmulatorDialect;
  /**
   * Path of the Mithril OpenAPI JSON; when given, every mithril-dialect response is validated
   * against it and one that does not conform becomes a 500 (see `openApiViolations`).
   *
   * @default - FLOW_COMPUTE_OPENAPI when FCP_EMULATOR_VALIDATE_OPENAPI=1, else no validation
   */
  validateResponsesAgainst?: string;
  /**
   * TCP port to listen on.
   *
   * @default 0 - a free port is picked
   */
  port?: number;
  /** @default "127.0.0.1" */
  host?: string;
  /**
   * JSON file holding the emulator's state; every change is saved to it before it is answered.
   *
   * @default - state lives in memory and is lost on close
   */
  statePath?: string;
  /**
   * Bearer keys the API accepts.
   *
   * @default ["fcp-dev-key"]
   */
  apiKeys?: readonly string[];
  /**
   * Emulator seconds from allocation to `running` (`allocated` half way).
   *
   * @default 2
   */
  provisionSeconds?: number;
  /**
   * Seed for FIDs and fault injection. A state file keeps the seed it was created with.
   *
   * @default - a random seed
   */
  seed?: number;
  /**
   * Assigns `ssh_destination` ("host:port") to new instances.
   *
   * @default - distinct 127.0.0.1 ports on which nothing listens
   */
  sshEndpoint?: SshEndpointAllocator;
  /** @default 1048576 */
  maxBodyBytes?: number;
  /**
   * Milliseconds a client has to send a request's headers; a slower one gets a 408.
   *
   * @default 10000
   */
  headersTimeoutMs?: number;
  /**
   * Milliseconds a client has to send a whole request (headers and body); a slower one gets a 408.
   *
   * @default 30000
   */
  requestTimeoutMs?: number;
  /**
   * Serve the admin API under /_emulator/.
   *
   * @default true
   */
  admin?: boolean;
  /**
   * The real-time source behind the emulator clock.
   *
   * @default Date.now
   */
  now?: () => number;
  /**
   * Receives one line per request (method, path, status, milliseconds); never headers or bodies.
   *
   * @default - no request log
   */
  log?: (line: string) => void;
  /**
   * What a running instance is: "sandbox" boots it (startup script, own 127.0.0.N address, real
   * SSH server); "none" only shows an address nothing listens on.
   *
   * @default - "sandbox" where namespaces work (root on Linux), otherwise "none"
   */
  instances?: InstancesMode;
  /**
   * The most instances booted at once; more wait (the admin API says why).
   *
   * @default 16
   */
  maxBooted?: number;
  /**
   * Receives the emulator's own notices (an instance that cannot boot, and why).
   *
   * @default - written to stderr
   */
  notice?: (line: string) => void;
}

export interface RunningEmulator {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41235`. */
  url: string;
  host: string;
  port: number;
  /** The first accepted key (`fcp-dev-key` unless keys were given). */
  apiKey: string;
  /** FID of the seeded project. */
  projectFid: string;
  clock: EmulatorClock;
  /** The admin API as methods, for tests in the same process. */
  admin: EmulatorAdmin;
  /** What instances do here ("sandbox" or "none") and why, in one line. */
  instances: { mode: InstancesMode; note: string; fleet?: InstanceFleet };
  /** The wire dialect served. */
  dialect: EmulatorDialect;
  /** Responses that broke the OpenAPI document (empty unless validation is on, and then it should stay so). */
  openApiViolations(): readonly string[];
  /** Stops listening, stops booted instances, waits for pending saves, releases the state file. */
  close(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? "127.0.0.1";
  const dialect = resolveDialect(options.dialect);
  const conformance =
    dialect !== "mithril" ? undefined : options.validateResponsesAgainst !== undefined ? OpenApiResponses.fromFile(options.validateResponsesAgainst) : OpenApiResponses.fromEnv();
  const apiKeyList = options.apiKeys && options.apiKeys.length > 0 ? [...options.apiKeys] : [DEV_API_KEY];
  const keys = new ApiKeys(apiKeyList);
  const provisionSeconds = options.provisionSeconds ?? 2;
  if (!Number.isFinite(provisionSeconds) || provisionSeconds < 0) {
    throw new RangeError(`provisionSeconds must be a non-negative number; got ${provisionSeconds}.`);
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const realNow = options.now ?? Date.now;
  const limits = checkLimits({
    headersTimeoutMs: options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
  });

  const maxBooted = options.maxBooted ?? DEFAULT_MAX_BOOTED;
  if (!Number.isInteger(maxBooted) || maxBooted < 0) throw new RangeError(`maxBooted must be a whole number of instances, 0 or more; got ${maxBooted}.`);
  const choice = chooseRuntime(options.instances, options.sshEndpoint !== undefined);

  const opened = options.statePath ? await StateFile.open(options.statePath) : undefined;
  const seed = opened?.state?.seed ?? options.seed ?? randomInt(0, 2 ** 31);
  const clock = new EmulatorClock(realNow, opened?.state?.clockOffsetMs ?? 0);
  if (opened?.state) clock.catchUpTo(opened.state.savedAt);
  const state = opened?.state ?? initialState(seed, clock.now());
  const store = new Store({
    state,
    clock,
    provisionMs: Math.round(provisionSeconds * 1000),
    sshEndpoint: choice.runtime ? ({ privateIp }) => unboundDestination(privateIp) : (options.sshEndpoint ?? loopbackSshEndpoints),
    privateIpFor: choice.runtime ? freeLoopbackAddress : undefined,
    file: opened?.file,
  });
  let fleet: InstanceFleet | undefined;
  if (choice.runtime) {
    const data = await InstanceFleet.dataDirFor(options.statePath);
    fleet = new InstanceFleet({
      store,
      runtime: choice.runtime,
      dataDir: data.dir,
      keep: data.keep,
      maxBooted,
      log: options.notice ?? ((line) => process.stderr.write(`${line}\n`)),
    });
  }
  const faults = new FaultInjector(seed);
  const requestLog = new RequestLog();
  const admin = new EmulatorAdmin(store, faults, requestLog, fleet);
  const ctx: ApiContext = { store };
  const api = dialect === "mithril" ? mithrilRouter(DIALECT_SETTINGS.mithril) : apiRouter();
  const adminRoutes = options.admin === false ? undefined : adminRouter(admin);

  try {
    // A new state file is written at once, so a bad path fails now rather than on the first change.
    if (opened && !opened.state) await store.change(() => undefined);
    // A restart on the same state is a reboot: running instances boot again (no startup script).
    await fleet?.start();
  } catch (err) {
    await fleet?.close();
    await opened?.file.close();
    throw err;
  }

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const started = Date.now();
    const requestId = randomRequestId();
    res.setHeader("x-request-id", requestId);
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", "http://emulator.invalid");
    const path = url.pathname;
    const logLine = (status: number | string) => options.log?.(`${method} ${path} ${status} ${Date.now() - started}ms`);

    /** Sends an API response, first checking it against the OpenAPI document when asked to. */
    const deliver = (isApi: boolean, template: string | undefined, status: number, body: unknown, headers?: Record<string, string>): number => {
      const violation = isApi ? conformance?.check(method, template, status, body) : undefined;
      if (violation !== undefined) {
        sendJson(res, 500, { detail: `fcp-emulator sent a response that breaks the Mithril OpenAPI document: ${violation}. This is a bug in fcp-emulator.` });
        return 500;
      }
      sendJson(res, status, body, headers);
      return status;
    };

    const fail = (err: unknown, isApi = false, template?: string, pathParams: readonly string[] = []) => {
      const problem =
        err instanceof ApiProblem
          ? err
          : new ApiProblem(500, "INTERNAL_ERROR", `fcp-emulator failed while handling ${method} ${path}: ${(err as Error)?.message ?? String(err)}. This is a bug in fcp-emulator.`);
      // A 413 keeps the connection while the rest of the body is discarded (http-io), so the
      // client reads the answer instead of a reset.
      const headers = problem.headers;
      if (dialect === "mithril" && isApi) {
        const shaped = mithrilErrorBody(problem, method, pathParams);
        return deliver(isApi, template, shaped.status, shaped.body, headers);
      }
      const body = { error: { code: problem.code, message: problem.message, details: problem.details ?? null }, request_id: requestId };
      sendJson(res, problem.status, body, headers);
      return problem.status;
    };

    const run = async (router: Router<ApiHandler> | undefined, isApi: boolean): Promise<void> => {
      const match = router?.match(method, path);
      const key = `${method} ${match ? match.route.template : "(unmatched)"}`;
      if (isApi) requestLog.record(key);
      const answer = (status: number | "dropped") => {
        if (isApi) requestLog.answered(key, status);
        logLine(status);
      };
      try {
        if (isApi) keys.authenticate(req.headers);
        if (!match) {
          const allowed = router?.methodsFor(path) ?? [];
          // FastAPI answers a known path with the wrong method with a 405 and an Allow header.
          if (isApi && dialect === "mithril" && allowed.length > 0) {
            throw new ApiProblem(405, "METHOD_NOT_ALLOWED", `Method Not Allowed: ${method} ${path} takes ${allowed.join(", ")}.`, undefined, { allow: allowed.join(", ") });
          }
          throw notFound(
            allowed.length > 0
              ? `${method} ${path} does not exist; this path takes ${allowed.join(", ")}.`
              : `No endpoint ${method} ${path}. The FCP v2 API lives under /v2/ (see the seed's API reference).`,
          );
        }
        const template = match.route.template;
        if (isApi) {
          const delay = faults.latencyFor(method, template, path);
          if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
          const fault = faults.before(method, template, path);
          if (fault?.kind === "drop") {
            req.socket.destroy();
            answer("dropped");
            return;
          }
          if (fault?.kind === "rateLimit") {
            throw new ApiProblem(429, "RATE_LIMITED", `Too many requests (injected fault). Retry after ${fault.retryAfterSeconds} s.`, undefined, {
              "retry-after": String(fault.retryAfterSeconds),
            });
          }
          if (fault?.kind === "error") {
            throw new ApiProblem(fault.status, "INJECTED_FAULT", `Injected fault: ${fault.status} for ${method} ${template}. Nothing was applied.`);
          }
        }
        const body = method === "GET" || method === "HEAD" ? undefined : await readJsonBody(req, maxBodyBytes);
        const result: ApiResponse = await match.route.handler({ method, path, params: match.params, query: url.searchParams, body }, ctx);
        if (isApi && WRITE_METHODS.includes(method) && result.status < 300 && faults.afterWrite(method, template, path)) {
          // The change is applied and saved; the client never hears of it.
          req.socket.destroy();
          answer("dropped");
          return;
        }
        answer(deliver(isApi, template, result.status, result.body, result.headers));
      } catch (err) {
        answer(fail(err, isApi, match?.route.template, Object.keys(match?.params ?? {})));
      }
    };

    if (path === "/v2" || path.startsWith("/v2/")) void run(api, true);
    else if (path.startsWith("/_emulator/")) void run(adminRoutes, false);
    else {
      const status = fail(notFound(`No endpoint ${method} ${path}. The FCP v2 API lives under /v2/; the emulator's admin API under /_emulator/.`));
      logLine(status);
    }
  };

  const server = createServer({ connectionsCheckingInterval: checkingIntervalFor(limits) }, handle);
  server.keepAliveTimeout = 10_000;
  applySlowClientLimits(server, limits);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (err) {
    await fleet?.close();
    await opened?.file.close();
    if ((err as NodeJS.ErrnoException).code === "EADDRINUSE") {
      throw new Error(`Port ${options.port} on ${host} is already in use. Stop whatever holds it, or pass another port (0 picks a free one).`);
    }
    throw err;
  }
  const address = server.address() as AddressInfo;
  const shownHost = address.family === "IPv6" || host.includes(":") ? `[${address.address}]` : host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${address.port}`,
    host,
    port: address.port,
    apiKey: apiKeyList[0],
    dialect,
    openApiViolations: () => [...(conformance?.violations ?? [])],
    projectFid: Object.keys(state.projects)[0],
    clock,
    admin,
    instances: { mode: choice.mode, note: choice.note, fleet },
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
        try {
          await fleet?.close();
          await store.flush();
        } finally {
          await opened?.file.close();
        }
      })();
      return closing;
    },
  };
}
