// Promise wrapper for the generated gRPC clients' unary calls, with an optional deadline, and the
// Struct conversion their requests need.
import * as grpc from "@grpc/grpc-js";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";

type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: grpc.Metadata,
  options: Partial<grpc.CallOptions>,
  callback: (error: grpc.ServiceError | null, response: Res) => void,
) => grpc.ClientUnaryCall;

export function unaryCall<Req, Res>(
  client: grpc.Client,
  method: UnaryMethod<Req, Res>,
  request: Req,
  timeoutMs: number | undefined,
): Promise<Res> {
  const options: Partial<grpc.CallOptions> = timeoutMs === undefined ? {} : { deadline: Date.now() + timeoutMs };
  return new Promise((resolve, reject) => {
    method.call(client, request, new grpc.Metadata(), options, (error, response) => {
      if (error) {
        reject(error);
      } else {
        resolve(response);
      }
    });
  });
}

/** A property map (or policy config) as the protobuf `Struct` every request carries. */
export function toStruct(map: Readonly<Record<string, unknown>>): Struct {
  return Struct.fromJavaScript(map as Parameters<typeof Struct.fromJavaScript>[0]);
}

export function isServiceError(err: unknown): err is grpc.ServiceError {
  return err instanceof Error && typeof (err as Partial<grpc.ServiceError>).code === "number";
}

/** The message a plugin sent, without grpc-js's `2 UNKNOWN: ` prefix. */
export function grpcErrorDetail(err: unknown): string {
  if (isServiceError(err)) {
    if (err.code === grpc.status.DEADLINE_EXCEEDED) {
      return "the call exceeded operationTimeoutMs";
    }
    return err.details || err.message;
  }
  return err instanceof Error ? err.message : String(err);
}
