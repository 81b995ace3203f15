// A policy pack served by the real `@pulumi/pulumi/cmd/run-policy-pack` analyzer, spoken to over
// gRPC with the requests the CLI sends (`options` and `provider` included: @pulumi/policy insists).
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzerproto from "@pulumi/pulumi/proto/analyzer_pb";
import { LocalEngineError, PluginError } from "./errors";
import { grpcErrorDetail, toStruct, unaryCall } from "./grpc-call";
import { PluginProcess, type PluginContext } from "./plugin-process";
import { withoutInternalKeys, type PropertyMap } from "./property-values";
import type { ResourceState } from "./resource-state";
import type { PolicyViolation } from "./result";

type Level = "advisory" | "mandatory" | "disabled" | "remediate";

/**
 * Configuration of one policy pack, in the format of `pulumi preview --policy-pack-config`:
 * per policy name, an enforcement level or an object with `enforcementLevel` and properties.
 */
export type PolicyPackConfig = Record<string, Level | ({ enforcementLevel?: Level } & Record<string, unknown>)>;

export interface PolicyAnalyzerOptions extends PluginContext {
  packDir: string;
  config?: PolicyPackConfig;
}

const LEVELS: Record<Level, analyzerproto.EnforcementLevel> = {
  advisory: analyzerproto.EnforcementLevel.ADVISORY,
  mandatory: analyzerproto.EnforcementLevel.MANDATORY,
  disabled: analyzerproto.EnforcementLevel.DISABLED,
  remediate: analyzerproto.EnforcementLevel.REMEDIATE,
};

export class PolicyAnalyzer {
  private constructor(
    private readonly process: PluginProcess,
    private readonly client: AnalyzerClient,
    private readonly options: PolicyAnalyzerOptions,
    readonly packName: string,
    readonly packVersion: string,
  ) {}

  static async start(options: PolicyAnalyzerOptions): Promise<PolicyAnalyzer> {
    const packDir = path.resolve(options.packDir);
    const { plugin, port } = await PluginProcess.start({
      ...options,
      name: `policy-pack ${path.basename(packDir)}`,
      script: require.resolve("@pulumi/pulumi/cmd/run-policy-pack"),
      args: ["127.0.0.1:1", packDir],
      // @pulumi/policy reads the pack's version from package.json in the working directory.
      cwd: packDir,
    });
    const client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const fail = async (what: string, err: unknown): Promise<never> => {
      client.close();
      await plugin.stop();
      throw new PluginError(plugin.name, `${what}: ${grpcErrorDetail(err)}`, plugin.stderr.all(), { cause: err });
    };
    let info: analyzerproto.AnalyzerInfo;
    try {
      info = await unaryCall(client, client.getAnalyzerInfo, new Empty(), options.operationTimeoutMs);
    } catch (err) {
      return fail("GetAnalyzerInfo failed", err);
    }
    const analyzer = new PolicyAnalyzer(plugin, client, options, info.getName(), info.getVersion());
    try {
      await analyzer.configure(info);
      const stackReq = new analyzerproto.AnalyzerStackConfigureRequest();
      stackReq.setStack(options.stack).setProject(options.project).setOrganization(options.organization);
      await unaryCall(client, client.configureStack, stackReq, options.operationTimeoutMs);
    } catch (err) {
      if (err instanceof LocalEngineError) {
        client.close();
        await plugin.stop();
        throw err;
      }
      return fail("Configure failed", err);
    }
    return analyzer;
  }

  get output(): PluginProcess {
    return this.process;
  }

  /** Sends the user's config; levels it leaves out stay the ones the pack declares (as the CLI does). */
  private async configure(info: analyzerproto.AnalyzerInfo): Promise<void> {
    const config = this.options.config;
    if (!config) {
      return;
    }
    const policies = new Map(info.getPoliciesList().map((p) => [p.getName(), p]));
    const req = new analyzerproto.ConfigureAnalyzerRequest();
    for (const [name, value] of Object.entries(config)) {
      const policy = policies.get(name);
      if (!policy) {
        throw new LocalEngineError(
          `policyPackConfig for pack "${info.getName()}" names policy "${name}", which the pack does not have; ` +
            `its policies are: ${[...policies.keys()].join(", ") || "(none)"}.`,
        );
      }
      const { enforcementLevel, ...properties } = typeof value === "string" ? { enforcementLevel: value } : value;
      if (enforcementLevel !== undefined && !(enforcementLevel in LEVELS)) {
        throw new LocalEngineError(
          `policyPackConfig: policy "${name}" has enforcementLevel "${String(enforcementLevel)}"; ` +
            `use one of ${Object.keys(LEVELS).join(", ")}.`,
        );
      }
      const pc = new analyzerproto.PolicyConfig();
      pc.setEnforcementlevel(enforcementLevel ? LEVELS[enforcementLevel] : policy.getEnforcementlevel());
      pc.setProperties(toStruct(properties));
      req.getPolicyconfigMap().set(name, pc);
    }
    await unaryCall(this.client, this.client.configure, req, this.options.operationTimeoutMs);
  }

  private providerOf(r: ResourceState): analyzerproto.AnalyzerProviderResource | undefined {
    if (!r.custom) {
      return undefined;
    }
    const p = new analyzerproto.AnalyzerProviderResource();
    const type = "pulumi:providers:pulumi-nodejs";
    p.setType(type)
      .setName("default")
      .setUrn(`urn:pulumi:${this.options.stack}::${this.options.project}::${type}::default`)
      .setProperties(toStruct({}));
    return p;
  }

  private optionsOf(r: ResourceState): analyzerproto.AnalyzerResourceOptions {
    const o = new analyzerproto.AnalyzerResourceOptions();
    o.setProtect(r.protect)
      .setIgnorechangesList(r.ignoreChanges)
      .setDeletebeforereplace(r.deleteBeforeReplace)
      .setDeletebeforereplacedefined(r.deleteBeforeReplace)
      .setAdditionalsecretoutputsList(r.additionalSecretOutputs)
      .setAliasesList([])
      .setCustomtimeouts(new analyzerproto.AnalyzerResourceOptions.CustomTimeouts())
      .setParent(r.parent ?? "");
    return o;
  }

  private violations(resp: analyzerproto.AnalyzeResponse, defaultUrn: string | undefined): PolicyViolation[] {
    return resp.getDiagnosticsList().flatMap((d): PolicyViolation[] => {
      const level = d.getEnforcementlevel();
      if (level === analyzerproto.EnforcementLevel.DISABLED) {
        return [];
      }
      const urn = d.getUrn() || defaultUrn;
      return [
        {
          policyName: d.getPolicyname(),
          packName: d.getPolicypackname() || this.packName,
          packVersion: d.getPolicypackversion() || this.packVersion,
          message: d.getMessage() || d.getDescription(),
          enforcementLevel: level === analyzerproto.EnforcementLevel.ADVISORY ? "advisory" : "mandatory",
          ...(urn ? { urn } : {}),
        },
      ];
    });
  }

  /** Analyze: one resource with the properties the step is about to use. */
  async analyze(r: ResourceState, properties: PropertyMap): Promise<PolicyViolation[]> {
    const req = new analyzerproto.AnalyzeRequest();
    req.setType(r.type).setName(r.name).setUrn(r.urn).setProperties(toStruct(withoutInternalKeys(properties)));
    req.setOptions(this.optionsOf(r));
    const provider = this.providerOf(r);
    if (provider) {
      req.setProvider(provider);
    }
    try {
      return this.violations(
        await unaryCall(this.client, this.client.analyze, req, this.options.operationTimeoutMs),
        r.urn,
      );
    } catch (err) {
      throw new PluginError(this.process.name, `Analyze of ${r.urn} failed: ${grpcErrorDetail(err)}`, this.process.stderr.all(), {
        cause: err,
      });
    }
  }

  /** AnalyzeStack: every resource of the stack with its outputs. */
  async analyzeStack(resources: readonly ResourceState[]): Promise<PolicyViolation[]> {
    const req = new analyzerproto.AnalyzeStackRequest();
    req.setResourcesList(
      resources.map((r) => {
        const ar = new analyzerproto.AnalyzerResource();
        ar.setType(r.type)
          .setName(r.name)
          .setUrn(r.urn)
          .setProperties(toStruct(withoutInternalKeys(r.outputs)))
          .setOptions(this.optionsOf(r))
          .setParent(r.parent ?? "")
          .setDependenciesList(r.dependencies);
        const provider = this.providerOf(r);
        if (provider) {
          ar.setProvider(provider);
        }
        for (const [key, urns] of Object.entries(r.propertyDependencies)) {
          const deps = new analyzerproto.AnalyzerPropertyDependencies();
          deps.setUrnsList(urns);
          ar.getPropertydependenciesMap().set(key, deps);
        }
        return ar;
      }),
    );
    try {
      return this.violations(
        await unaryCall(this.client, this.client.analyzeStack, req, this.options.operationTimeoutMs),
        undefined,
      );
    } catch (err) {
      throw new PluginError(this.process.name, `AnalyzeStack failed: ${grpcErrorDetail(err)}`, this.process.stderr.all(), {
        cause: err,
      });
    }
  }

  async close(): Promise<void> {
    this.client.close();
    await this.process.stop();
  }
}
