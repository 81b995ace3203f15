// The resource monitor the program talks to. Subclassing @pulumi/pulumi's MockMonitor keeps the
// plumbing the SDK expects (packages, stack transforms); registrations go to the engine instead
// of to mocks, carrying every resource option of the RegisterResourceRequest.
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import type { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import * as resproto from "@pulumi/pulumi/proto/resource_pb";

export interface RegistrationHandler {
  registerResource(req: resproto.RegisterResourceRequest): Promise<resproto.RegisterResourceResponse>;
  registerResourceOutputs(urn: string, outputs: Struct | undefined): void;
}

type Callback = (err: Error | null, response?: unknown) => void;

const unsupported = (what: string): Error =>
  new Error(
    `LocalEngine does not support ${what}: it runs dynamic resources and components only. ` +
      `Use pulumi.runtime.setMocks for programs that need other providers.`,
  );

export class EngineMonitor extends MockMonitor {
  constructor(private readonly handler: RegistrationHandler) {
    super({
      call: () => {
        throw unsupported("provider function calls (invokes)");
      },
      newResource: () => {
        throw unsupported("mocked resources");
      },
    });
  }

  override async registerResource(req: resproto.RegisterResourceRequest, callback: Callback): Promise<void> {
    try {
      callback(null, await this.handler.registerResource(req));
    } catch (err) {
      callback(err instanceof Error ? err : new Error(String(err)));
    }
  }

  override registerResourceOutputs(req: resproto.RegisterResourceOutputsRequest, callback: Callback): void {
    try {
      this.handler.registerResourceOutputs(req.getUrn(), req.getOutputs());
      callback(null, new Empty());
    } catch (err) {
      callback(err instanceof Error ? err : new Error(String(err)));
    }
  }

  override async readResource(req: resproto.ReadResourceRequest, callback: Callback): Promise<void> {
    callback(unsupported(`reading existing resources (${req.getType()}.get)`));
  }

  override async invoke(req: resproto.ResourceInvokeRequest, callback: Callback): Promise<void> {
    callback(unsupported(`invoking ${req.getTok()}`));
  }

  /** Advertise only what this engine honours, so the SDK falls back (or refuses) for the rest. */
  override getDeploymentInfo(_req: unknown, callback: Callback): void {
    const resp = new resproto.DeploymentInfo();
    resp.setSupportedfeaturesList([resproto.ResourceMonitorFeature.RESOURCE_MONITOR_FEATURE_SECRETS]);
    callback(null, resp);
  }

  override supportsFeature(req: resproto.SupportsFeatureRequest, callback: Callback): void {
    const resp = new resproto.SupportsFeatureResponse();
    resp.setHassupport(req.getId() === "secrets");
    callback(null, resp);
  }

  /** Called by the SDK's disconnect; there is no connection to close. */
  close(): void {}
}
