// An error from create/update that keeps the object in the stack. The dynamic-provider plugin
// turns an error with `id` and `properties` into ErrorResourceInitFailed, so the engine records
// the resource (marked failed) instead of forgetting a bid that costs money.
import { FlowError, type FlowErrorOptions } from "../fcp-api/errors";

export class ResourceInitError extends FlowError {
  readonly id: string;
  readonly properties: Record<string, unknown>;
  readonly reasons: string[];

  constructor(message: string, id: string, properties: Record<string, unknown>, options: FlowErrorOptions = {}) {
    super(message, options);
    this.id = id;
    this.properties = properties;
    this.reasons = [this.message, ...this.suggestions];
  }
}
