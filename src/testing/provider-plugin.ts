// The real `@pulumi/pulumi/cmd/dynamic-provider` plugin, spawned once per engine and driven over
// gRPC the way the Pulumi engine drives `pulumi-resource-pulumi-nodejs`.
import * as grpc from "@grpc/grpc-js";
import { Any } from "google-protobuf/google/protobuf/any_pb";
import type { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { Status } from "@pulumi/pulumi/proto/status_pb";
import { PluginError, ResourceOperationError, type InitFailure, type ResourceOperation } from "./errors";
import { grpcErrorDetail, isServiceError, toStruct, unaryCall } from "./grpc-call";
import { PluginProcess, type PluginContext } from "./plugin-process";
import { toPropertyMap, type PropertyMap } from "./property-values";

export interface ProviderPluginOptions extends PluginContext {
  cwd: string;
}

/** Identifies the resource a call is about (the engine sends all three with every request). */
export interface ResourceRef {
  urn: string;
  name: string;
  type: string;
}

export interface CheckResult {
  inputs: PropertyMap;
  failures: { property: string; reason: string }[];
}

export interface DiffResult {
  changes: "some" | "none" | "unknown";
  replaces: string[];
  deleteBeforeReplace: boolean;
  diffs: string[];
}

/** The provider operations the engine uses (what a step needs from the plugin). */
export type ProviderClient = Pick<ProviderPlugin, "check" | "diff" | "create" | "read" | "update" | "delete">;

const INIT_FAILED_TYPE = "pulumirpc.ErrorResourceInitFailed";
/** How long a dropped connection may precede the exit of the process that dropped it. */
const EXIT_AFTER_DROP_MS = 5000;

function fromStruct(s: Struct | undefined, what: string): PropertyMap {
  return s ? toPropertyMap(s.toJavaScript(), what) : {};
}

/** The initialization failure a dynamic provider packs into `grpc-status-details-bin`. */
function initFailureOf(err: unknown): InitFailure | undefined {
  if (!isServiceError(err)) {
    return undefined;
  }
  for (const raw of err.metadata?.get("grpc-status-details-bin") ?? []) {
    const status = Status.deserializeBinary(typeof raw === "string" ? Buffer.from(raw, "base64") : raw);
    for (const detail of status.getDetailsList() as Any[]) {
      if (detail.getTypeName() === INIT_FAILED_TYPE) {
        const failed = provproto.ErrorResourceInitFailed.deserializeBinary(detail.getValue_asU8());
        return {
          id: failed.getId(),
          properties: failed.getProperties()?.toJavaScript() ?? {},
          reasons: failed.getReasonsList(),
        };
      }
    }
  }
  return undefined;
}

export class ProviderPlugin {
  private constructor(
    private readonly process: PluginProcess,
    private readonly client: ResourceProviderClient,
    private readonly timeoutMs: number | undefined,
  ) {}

  /** Spawns the plugin and sends Configure with the stack config, as the CLI does. */
  static async start(options: ProviderPluginOptions, configArgs: PropertyMap): Promise<ProviderPlugin> {
    const { plugin, port } = await PluginProcess.start({
      ...options,
      name: "dynamic-provider",
      script: require.resolve("@pulumi/pulumi/cmd/dynamic-provider"),
      // The plugin only checks that an engine address is present; it never dials it.
      args: ["127.0.0.1:1"],
    });
    const client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const provider = new ProviderPlugin(plugin, client, options.operationTimeoutMs);
    const req = new provproto.ConfigureRequest();
    req.setArgs(toStruct(configArgs));
    req.setAcceptsecrets(true);
    req.setAcceptresources(true);
    try {
      await unaryCall(client, client.configure, req, options.operationTimeoutMs);
    } catch (err) {
      await provider.close();
      throw new PluginError("dynamic-provider", `Configure failed: ${grpcErrorDetail(err)}`, plugin.stderr.all(), {
        cause: err,
      });
    }
    return provider;
  }

  get output(): PluginProcess {
    return this.process;
  }

  /** Whether the process is still running (a provider may crash it with process.exit). */
  get alive(): boolean {
    return this.process.exitReason === undefined;
  }

  private async call<Req, Res>(
    ref: ResourceRef,
    operation: ResourceOperation,
    method: Parameters<typeof unaryCall<Req, Res>>[1],
    request: Req,
  ): Promise<Res> {
    try {
      return await unaryCall(this.client, method, request, this.timeoutMs);
    } catch (err) {
      const initFailure = operation === "create" || operation === "update" ? initFailureOf(err) : undefined;
      let detail = grpcErrorDetail(err);
      // A provider that ends its process (process.exit) drops the connection before the exit event
      // arrives: wait for it, so the error says the plugin exited rather than "Connection dropped".
      const dropped = isServiceError(err) && err.code === grpc.status.UNAVAILABLE;
      const exit = dropped ? await this.process.exitWithin(EXIT_AFTER_DROP_MS) : this.process.exitReason;
      if (exit !== undefined) {
        const tail = this.process.stderr.all().trim().split("\n").slice(-10).join("\n");
        detail = `the dynamic provider plugin ${exit}${tail ? `; its stderr ends:\n${tail}` : ""}`;
      }
      throw new ResourceOperationError(ref.urn, operation, detail, { cause: err, initFailure });
    }
  }

  async check(ref: ResourceRef, olds: PropertyMap, news: PropertyMap): Promise<CheckResult> {
    const req = new provproto.CheckRequest();
    req.setUrn(ref.urn).setName(ref.name).setType(ref.type).setOlds(toStruct(olds)).setNews(toStruct(news));
    const resp = await this.call<provproto.CheckRequest, provproto.CheckResponse>(ref, "check", this.client.check, req);
    return {
      inputs: fromStruct(resp.getInputs(), `inputs returned by check of ${ref.urn}`),
      failures: resp.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  async diff(
    ref: ResourceRef,
    id: string,
    oldOutputs: PropertyMap,
    oldInputs: PropertyMap,
    news: PropertyMap,
    ignoreChanges: readonly string[],
  ): Promise<DiffResult> {
    const req = new provproto.DiffRequest();
    req
      .setUrn(ref.urn)
      .setName(ref.name)
      .setType(ref.type)
      .setId(id)
      .setOlds(toStruct(oldOutputs))
      .setOldInputs(toStruct(oldInputs))
      .setNews(toStruct(news))
      .setIgnorechangesList([...ignoreChanges]);
    const resp = await this.call<provproto.DiffRequest, provproto.DiffResponse>(ref, "diff", this.client.diff, req);
    const changes = resp.getChanges();
    const Changes = provproto.DiffResponse.DiffChanges;
    return {
      changes: changes === Changes.DIFF_SOME ? "some" : changes === Changes.DIFF_NONE ? "none" : "unknown",
      replaces: resp.getReplacesList(),
      deleteBeforeReplace: resp.getDeletebeforereplace(),
      diffs: resp.getDiffsList(),
    };
  }

  async create(ref: ResourceRef, properties: PropertyMap): Promise<{ id: string; properties: PropertyMap }> {
    const req = new provproto.CreateRequest();
    req.setUrn(ref.urn).setName(ref.name).setType(ref.type).setProperties(toStruct(properties));
    const resp = await this.call<provproto.CreateRequest, provproto.CreateResponse>(
      ref,
      "create",
      this.client.create,
      req,
    );
    const id = resp.getId();
    if (!id) {
      throw new ResourceOperationError(ref.urn, "create", "the provider's create returned an empty id.");
    }
    return { id, properties: fromStruct(resp.getProperties(), `outputs of create of ${ref.urn}`) };
  }

  async read(
    ref: ResourceRef,
    id: string,
    properties: PropertyMap,
    inputs: PropertyMap,
  ): Promise<{ id: string; properties: PropertyMap; inputs?: PropertyMap }> {
    const req = new provproto.ReadRequest();
    req.setUrn(ref.urn).setName(ref.name).setType(ref.type).setId(id).setProperties(toStruct(properties)).setInputs(toStruct(inputs));
    const resp = await this.call<provproto.ReadRequest, provproto.ReadResponse>(ref, "read", this.client.read, req);
    const newInputs = resp.getInputs();
    return {
      id: resp.getId(),
      properties: fromStruct(resp.getProperties(), `outputs of read of ${ref.urn}`),
      inputs: newInputs ? fromStruct(newInputs, `inputs of read of ${ref.urn}`) : undefined,
    };
  }

  async update(
    ref: ResourceRef,
    id: string,
    oldOutputs: PropertyMap,
    news: PropertyMap,
    oldInputs: PropertyMap,
    ignoreChanges: readonly string[],
  ): Promise<{ properties: PropertyMap }> {
    const req = new provproto.UpdateRequest();
    req
      .setUrn(ref.urn)
      .setName(ref.name)
      .setType(ref.type)
      .setId(id)
      .setOlds(toStruct(oldOutputs))
      .setNews(toStruct(news))
      .setOldInputs(toStruct(oldInputs))
      .setIgnorechangesList([...ignoreChanges]);
    const resp = await this.call<provproto.UpdateRequest, provproto.UpdateResponse>(
      ref,
      "update",
      this.client.update,
      req,
    );
    return { properties: fromStruct(resp.getProperties(), `outputs of update of ${ref.urn}`) };
  }

  async delete(ref: ResourceRef, id: string, properties: PropertyMap, oldInputs: PropertyMap): Promise<void> {
    const req = new provproto.DeleteRequest();
    req.setUrn(ref.urn).setName(ref.name).setType(ref.type).setId(id).setProperties(toStruct(properties)).setOldInputs(toStruct(oldInputs));
    await this.call(ref, "delete", this.client.delete, req);
  }

  async close(): Promise<void> {
    this.client.close();
    await this.process.stop();
  }
}
