// LocalEngine: preview, up, refresh and destroy of a Pulumi program without the Pulumi CLI, with
// every dynamic resource handled by the real dynamic-provider plugin and every policy pack by
// the real policy analyzer, over gRPC.
import * as os from "node:os";
import * as path from "node:path";
import { z } from "zod";
import { providerConfigArgs, resolveConfig, type ConfigMap, type ResolvedConfig } from "./config";
import { deleteFromProvider, protectedMessage } from "./delete-step";
import { Deployment } from "./deployment";
import { DeploymentError, LocalEngineError, ResourceOperationError } from "./errors";
import { forEachInReverseDependencyOrder } from "./graph";
import { EngineMonitor } from "./engine-monitor";
import type { PluginContext, PluginProcess } from "./plugin-process";
import { PolicyAnalyzer, type PolicyPackConfig } from "./policy-analyzer";
import { runProgram, type PulumiProgram } from "./program-runner";
import { ProviderPlugin } from "./provider-plugin";
import { refreshResources } from "./refresh";
import { dependenciesOf, type ResourceState } from "./resource-state";
import { resourceOp, summarize, type Diagnostic, type OperationResult, type OutputValue, type PolicyViolation, type ResourceOp } from "./result";
import { stackOutputsOf } from "./stack-outputs";
import { acquireStateLock } from "./state-lock";
import { StateStore } from "./state-store";

export interface LocalEngineOptions {
  /** Project name (as in `Pulumi.yaml`); part of every URN. */
  project: string;
  /** Stack name; part of every URN. */
  stack: string;
  /**
   * Path of the JSON state file. Created on the first `up`; one file per stack.
   *
   * Relative paths resolve against `cwd`.
   */
  stateFile: string;
  /**
   * Stack configuration, as `pulumi config set` would hold it: `"fcp:apiKey": { value, secret: true }`,
   * `"region": "us-east"` (a key without namespace belongs to the project).
   *
   * The program reads it with `pulumi.Config`; dynamic providers get it in `configure(req)`.
   * @default - no configuration
   */
  config?: ConfigMap;
  /**
   * Passphrase from which the key that encrypts secrets in the state file is derived.
   *
   * @default - the `PULUMI_CONFIG_PASSPHRASE` environment variable; one of the two is required
   */
  secretsPassphrase?: string;
  /**
   * Policy pack directories (each with `PulumiPolicy.yaml` and a `package.json` with a version),
   * run during preview and up as `--policy-pack` does. Relative paths resolve against `cwd`.
   * @default - no policy packs
   */
  policyPacks?: string[];
  /**
   * Policy configuration per pack, keyed by the pack path exactly as given in `policyPacks`;
   * each value has the format of a `--policy-pack-config` file.
   * @default - every policy at the enforcement level its pack declares
   */
  policyPackConfig?: Record<string, PolicyPackConfig>;
  /**
   * Resource operations allowed to run at once (`--parallel`).
   * @default - the Pulumi CLI's default: PULUMI_PARALLEL, else 4 × CPUs (`defaultParallel`)
   */
  parallel?: number;
  /**
   * Working directory of the dynamic provider plugin, where `require()` inside provider methods
   * starts resolving (the project directory under the Pulumi CLI).
   * @default - process.cwd()
   */
  cwd?: string;
  /**
   * Extra environment variables for the plugin processes (e.g. an emulator URL), on top of this
   * process's environment.
   * @default - this process's environment only
   */
  env?: Record<string, string>;
  /**
   * Organization name the program sees (`pulumi.getOrganization()`).
   * @default "organization"
   */
  organization?: string;
  /**
   * How long a plugin may take to start and print its port.
   * @default 60000
   */
  pluginStartTimeoutMs?: number;
  /**
   * Deadline for each gRPC call to a plugin (a provider's create, an Analyze).
   * @default - no deadline, as the Pulumi CLI gives dynamic providers none
   */
  operationTimeoutMs?: number;
}

export interface UpOptions {
  /**
   * Skip the preview that `up` runs first (`--skip-preview`). Without the preview, a mandatory
   * policy violation or a failed check stops the update midway instead of before any change.
   * @default false
   */
  skipPreview?: boolean;
}

const NAME = /^[A-Za-z0-9_.-]+$/;
const plain = z.union([z.string(), z.number(), z.boolean()]);
const optionsSchema = z.object({
  project: z.string().regex(NAME, "use letters, digits, '_', '.' and '-'"),
  stack: z.string().regex(NAME, "use letters, digits, '_', '.' and '-'"),
  stateFile: z.string().min(1),
  config: z
    .record(
      z.string(),
      z.union([
        plain,
        z.object({ value: z.union([plain, z.record(z.string(), z.unknown()), z.array(z.unknown())]), secret: z.boolean().optional() }),
      ]),
    )
    .optional(),
  secretsPassphrase: z.string().min(1).optional(),
  policyPacks: z.array(z.string().min(1)).optional(),
  policyPackConfig: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  parallel: z.number().int().positive().optional(),
  cwd: z.string().min(1).optional(),
  env: z.record(z.string(), z.string()).optional(),
  organization: z.string().regex(NAME).optional(),
  pluginStartTimeoutMs: z.number().positive().optional(),
  operationTimeoutMs: z.number().positive().optional(),
});

type Kind = OperationResult["kind"];
/** What an engine is busy with: an operation, or reading its state. */
type Busy = Kind | "read";

/**
 * What `pulumi up --parallel` defaults to, so LocalEngine measures what CLI users get: PULUMI_PARALLEL
 * when set to a positive number, else 4 × the CPUs Go may use (GOMAXPROCS, which defaults to the
 * CPU count). Source: pkg/cmd/pulumi/operations/up.go `defaultParallel()` in pulumi v3.276.0.
 */
export function defaultParallel(env: NodeJS.ProcessEnv = process.env, cpus = os.availableParallelism()): number {
  const fromEnv = Number(env.PULUMI_PARALLEL);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return Math.min(fromEnv, 2 ** 31 - 1);
  const gomaxprocs = Number(env.GOMAXPROCS);
  return 4 * (Number.isInteger(gomaxprocs) && gomaxprocs > 0 ? gomaxprocs : cpus);
}

/**
 * Runs Pulumi programs end to end without the Pulumi CLI: a test engine, not a replacement for
 * the CLI. Dynamic resources go through the real `@pulumi/pulumi` dynamic-provider plugin (one
 * process per engine), policy packs through the real analyzer; state is a local JSON file with
 * secrets encrypted.
 *
 * @example
 * const engine = new LocalEngine({ project: "demo", stack: "test", stateFile: "/tmp/demo.json",
 *   secretsPassphrase: "test", config: { "fcp:apiKey": { value: "k", secret: true } } });
 * try {
 *   const result = await engine.up(async () => {
 *     const bid = new SpotBid("bid", { ... });
 *     return { bidId: bid.id };
 *   });
 *   expect(result.summary.create).toBe(2);
 *   await engine.destroy();
 * } finally {
 *   await engine.close();
 * }
 */
export class LocalEngine {
  private readonly project: string;
  private readonly stack: string;
  private readonly organization: string;
  private readonly stateFile: string;
  private readonly cwd: string;
  private readonly parallel: number;
  private readonly config: ResolvedConfig;
  private readonly packs: { dir: string; config?: PolicyPackConfig }[];
  private readonly pluginContext: PluginContext;
  private readonly store: StateStore;
  private readonly started: PluginProcess[] = [];
  private providerPlugin?: ProviderPlugin;
  private providerStarting?: Promise<ProviderPlugin>;
  private analyzerStarting?: Promise<PolicyAnalyzer[]>;
  private busy?: Busy;
  private closed = false;

  constructor(options: LocalEngineOptions) {
    const parsed = optionsSchema.safeParse(options);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new LocalEngineError(`LocalEngine option ${issue?.path.join(".") || "<options>"}: ${issue?.message}`);
    }
    const passphrase = options.secretsPassphrase ?? process.env.PULUMI_CONFIG_PASSPHRASE;
    if (!passphrase) {
      throw new LocalEngineError(
        "LocalEngine needs a secrets passphrase to encrypt secrets in the state file: pass secretsPassphrase " +
          "or set PULUMI_CONFIG_PASSPHRASE.",
      );
    }
    this.project = options.project;
    this.stack = options.stack;
    this.organization = options.organization ?? "organization";
    this.cwd = path.resolve(options.cwd ?? process.cwd());
    this.stateFile = path.resolve(this.cwd, options.stateFile);
    this.parallel = options.parallel ?? defaultParallel();
    this.config = resolveConfig(options.project, options.config);
    this.pluginContext = {
      env: { ...process.env, ...options.env },
      project: this.project,
      stack: this.stack,
      organization: this.organization,
      startTimeoutMs: options.pluginStartTimeoutMs ?? 60_000,
      operationTimeoutMs: options.operationTimeoutMs,
    };
    const packConfig = options.policyPackConfig ?? {};
    const packs = options.policyPacks ?? [];
    for (const key of Object.keys(packConfig)) {
      if (!packs.includes(key)) {
        throw new LocalEngineError(
          `policyPackConfig has an entry for "${key}", which is not in policyPacks (${packs.join(", ") || "none"}); ` +
            `key it by the pack path exactly as given in policyPacks.`,
        );
      }
    }
    this.packs = packs.map((p) => ({ dir: path.resolve(this.cwd, p), config: packConfig[p] }));
    this.store = new StateStore(this.stateFile, this.project, this.stack, passphrase);
  }

  /** What `pulumi preview` would do. Calls Check and Diff, never Create/Update/Delete. */
  async preview(program: PulumiProgram): Promise<OperationResult> {
    return this.operation("preview", async (capture) => {
      const resources = await this.store.load();
      const { deployment, diagnostics } = await this.deploy(program, resources, true);
      const result = this.result("preview", deployment.ops, stackOutputsOf(deployment.resources), deployment.violations, diagnostics, capture);
      const mandatory = deployment.mandatoryViolations;
      if (deployment.errors.length > 0 || mandatory.length > 0) {
        throw new DeploymentError("preview failed", result, deployment.errors, mandatory);
      }
      return result;
    });
  }

  /**
   * `pulumi up`: a preview first (policy violations and failed checks stop it before any
   * change), then the update. Throws {@link DeploymentError} if anything failed.
   */
  async up(program: PulumiProgram, options: UpOptions = {}): Promise<OperationResult> {
    return this.operation("up", async (capture) => {
      const resources = await this.store.load();
      if (!options.skipPreview) {
        const pre = await this.deploy(program, resources, true);
        const mandatory = pre.deployment.mandatoryViolations;
        if (pre.deployment.errors.length > 0 || mandatory.length > 0) {
          const result = this.result("up", pre.deployment.ops, stackOutputsOf(resources), pre.deployment.violations, pre.diagnostics, capture);
          throw new DeploymentError("up stopped before making any change", result, pre.deployment.errors, mandatory);
        }
      }
      const { deployment, diagnostics } = await this.deploy(program, resources, false);
      const result = this.result("up", deployment.ops, stackOutputsOf(deployment.resources), deployment.violations, diagnostics, capture);
      if (deployment.errors.length > 0) {
        throw new DeploymentError("up failed", result, deployment.errors, []);
      }
      return result;
    });
  }

  /**
   * `pulumi refresh`: reads every resource through its provider; drifted outputs are adopted,
   * resources that no longer exist are dropped from state. Like `pulumi refresh`, it does not
   * run the program; the optional argument only lets `refresh(program)` read like the other calls.
   */
  async refresh(_program?: PulumiProgram): Promise<OperationResult> {
    return this.operation("refresh", async (capture) => {
      const resources = await this.store.load();
      const outcome = await refreshResources({
        resources,
        provider: () => this.provider(),
        parallel: this.parallel,
        persist: (r) => this.store.save(r),
      });
      const result = this.result("refresh", outcome.ops, stackOutputsOf(outcome.resources), [], [], capture);
      if (outcome.errors.length > 0) {
        throw new DeploymentError("refresh failed", result, outcome.errors, []);
      }
      return result;
    });
  }

  /** `pulumi destroy`: deletes every resource, dependents first. Protected resources stop it before it starts. */
  async destroy(): Promise<OperationResult> {
    return this.operation("destroy", async (capture) => {
      const resources = await this.store.load();
      const blocked = resources.filter((r) => r.protect && !r.pendingDelete);
      if (blocked.length > 0) {
        const result = this.result("destroy", [], stackOutputsOf(resources), [], [], capture);
        throw new DeploymentError(
          "destroy stopped before deleting anything",
          result,
          blocked.map((r) => new ResourceOperationError(r.urn, "delete", protectedMessage(r, "delete"))),
          [],
        );
      }
      let working = [...resources];
      const ops: ResourceOp[] = [];
      const errors = await forEachInReverseDependencyOrder(resources, dependenciesOf, this.parallel, async (r) => {
        const op = resourceOp(r, "delete", "failed");
        ops.push(op);
        try {
          await deleteFromProvider(() => this.provider(), r);
        } catch (err) {
          op.error = err instanceof Error ? err.message : String(err);
          throw err;
        }
        op.status = "done";
        working = working.filter((x) => x !== r);
        await this.store.save(working);
      });
      const result = this.result("destroy", ops, stackOutputsOf(working), [], [], capture);
      if (errors.length > 0) {
        throw new DeploymentError("destroy failed", result, errors, []);
      }
      return result;
    });
  }

  /**
   * The resources in the state file, secrets decrypted (as `{ <sig>: <secret sig>, value }`).
   * For assertions in tests, like `pulumi stack export --show-secrets`.
   */
  async resources(): Promise<ResourceState[]> {
    return this.operation("read", async () => this.store.load(), false);
  }

  /** Stops the plugin processes. The engine cannot be used afterwards; the state file stays. */
  async close(): Promise<void> {
    this.closed = true;
    const analyzers = (await this.analyzerStarting?.catch(() => undefined)) ?? [];
    await this.providerStarting?.catch(() => undefined);
    await Promise.all([...analyzers.map((a) => a.close()), this.providerPlugin?.close()]);
    await Promise.all(this.started.map((p) => p.stop()));
  }

  private async operation<T>(
    kind: Busy,
    fn: (capture: () => { stderr: string; stdout: string }) => Promise<T>,
    lock = true,
  ): Promise<T> {
    if (this.closed) {
      throw new LocalEngineError("this LocalEngine is closed; create a new one.");
    }
    if (this.busy) {
      throw new LocalEngineError(`a ${this.busy} is already running on this LocalEngine; await it before starting a ${kind}.`);
    }
    this.busy = kind;
    const marks = new Map(this.started.map((p) => [p, { err: p.stderr.mark(), out: p.stdout.mark() }]));
    const capture = (): { stderr: string; stdout: string } => {
      const pick = (which: "stderr" | "stdout"): string =>
        this.started
          .map((p) => {
            const text = p[which].since(marks.get(p)?.[which === "stderr" ? "err" : "out"] ?? 0);
            return text ? `[${p.name}]\n${text}${text.endsWith("\n") ? "" : "\n"}` : "";
          })
          .join("");
      return { stderr: pick("stderr"), stdout: pick("stdout") };
    };
    try {
      const held = lock ? await acquireStateLock(this.stateFile) : undefined;
      try {
        return await fn(capture);
      } finally {
        await held?.release();
      }
    } finally {
      this.busy = undefined;
    }
  }

  private result(
    kind: Kind,
    ops: ResourceOp[],
    outputs: Record<string, OutputValue>,
    policyViolations: PolicyViolation[],
    diagnostics: Diagnostic[],
    capture: () => { stderr: string; stdout: string },
  ): OperationResult {
    const { stderr, stdout } = capture();
    return {
      kind,
      ops,
      summary: summarize(ops),
      outputs,
      policyViolations,
      diagnostics,
      pluginStderr: stderr,
      pluginStdout: stdout,
    };
  }

  private async deploy(
    program: PulumiProgram,
    resources: readonly ResourceState[],
    dryRun: boolean,
  ): Promise<{ deployment: Deployment; diagnostics: Diagnostic[] }> {
    const deployment = new Deployment({
      dryRun,
      project: this.project,
      stack: this.stack,
      parallel: this.parallel,
      resources,
      provider: () => this.provider(),
      analyzers: () => this.analyzers(),
      persist: (r) => this.store.save(r),
    });
    const run = await runProgram(program, {
      monitor: new EngineMonitor(deployment),
      project: this.project,
      stack: this.stack,
      organization: this.organization,
      dryRun,
      config: this.config,
    });
    for (const err of run.errors) {
      deployment.stop(err);
    }
    try {
      await deployment.finish();
    } catch (err) {
      deployment.stop(err instanceof Error ? err : new Error(String(err)));
    }
    return { deployment, diagnostics: run.diagnostics };
  }

  private provider(): Promise<ProviderPlugin> {
    if (this.providerPlugin?.alive) {
      return Promise.resolve(this.providerPlugin);
    }
    if (this.closed) {
      return Promise.reject(new LocalEngineError("this LocalEngine is closed."));
    }
    // A plugin that died (a provider may call process.exit) is replaced; close its gRPC client.
    void this.providerPlugin?.close();
    this.providerPlugin = undefined;
    this.providerStarting ??= ProviderPlugin.start({ ...this.pluginContext, cwd: this.cwd }, providerConfigArgs(this.config))
      .then((p) => {
        this.providerPlugin = p;
        this.started.push(p.output);
        return p;
      })
      .finally(() => {
        this.providerStarting = undefined;
      });
    return this.providerStarting;
  }

  private analyzers(): Promise<PolicyAnalyzer[]> {
    if (this.packs.length === 0) {
      return Promise.resolve([]);
    }
    this.analyzerStarting ??= (async () => {
      const settled = await Promise.allSettled(
        this.packs.map((pack) => PolicyAnalyzer.start({ ...this.pluginContext, packDir: pack.dir, config: pack.config })),
      );
      const started = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
      const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
      if (failed) {
        await Promise.all(started.map((a) => a.close()));
        // The next operation tries again instead of failing on a cached error.
        this.analyzerStarting = undefined;
        throw failed.reason;
      }
      this.started.push(...started.map((a) => a.output));
      return started;
    })();
    return this.analyzerStarting;
  }
}
