// `pulumi-fcp`: the public API, chosen name by name (README, "What you import"). Internals
// (transport, retries, pagination, caches, create-safely) are not exported; reach them through
// FcpClient. The emulator, LocalEngine, the startup builder and the plugin entry point have their
// own subpaths: `pulumi-fcp/emulator`, `/testing`, `/startup`, `/dynamic-provider`.

// What a Pulumi program declares.
export { SpotBid, type SpotBidArgs, type SpotBidInstance, Volume, type VolumeArgs, SshKey, type SshKeyArgs, Task, type TaskArgs, validateTaskArgs, type WaitFor } from "./resources";

// The seed's task description (TaskConfig), checked offline.
export * from "./resources/task-config";

// The FCP client, for programs and scripts that talk to FCP directly.
export { FcpClient, type FcpClientOptions, type GetBidOptions } from "./fcp-client/client";
export { closeSharedFcpClients } from "./fcp-client/client-registry";
export { loadConfig, type FlowConfig, type FlowConfigInput, CONFIG_ENV_VARS } from "./fcp-client/config";
export { DEFAULT_API_URL } from "./fcp-client/http";
export { DIALECTS, DIALECT_SETTINGS, type Dialect, type DialectSetting } from "./fcp-client/dialect";

// Errors: every failure is a FlowError with suggestions; catch the classes by kind.
export {
  FlowError,
  type FlowErrorOptions,
  AuthenticationError,
  ResourceNotFoundError,
  BidNotFoundError,
  ValidationError,
  type FieldError,
  APIError,
  ValidationAPIError,
  RateLimitError,
  NetworkError,
  TimeoutError,
  RequestAbortedError,
  AmbiguousCreateError,
  ProviderError,
} from "./fcp-api/errors";

// FCP's vocabulary: prices, instance types, statuses, and the client's models of FCP objects
// (the resources take the short names Volume and SshKey; the models keep theirs here).
export { parsePriceCents, formatPrice } from "./fcp-api/price";
export { parseInstanceType, canonicalInstanceTypeKey, suggestInstanceType, selectInstanceType, type ParsedInstanceType, type InstanceTypeRequirements, type InstanceTypeSelection } from "./fcp-api/instance-types";
export { BUILTIN_INSTANCE_TYPES, BUILTIN_REGIONS } from "./fcp-api/builtin-catalog";
export { BID_STATUSES, INSTANCE_STATUSES, TERMINAL_BID_STATUSES } from "./fcp-api/schemas/status";
export type {
  Project,
  User,
  InstanceType,
  SpotAvailability,
  Bid,
  Instance,
  Volume as FcpVolume,
  SshKey as FcpSshKey,
  CreateBidInput,
  UpdateBidInput,
  CreateVolumeInput,
  CreateSshKeyInput,
  ListBidsFilter,
  ListInstancesFilter,
  SpotAvailabilityFilter,
  RequestOptions,
} from "./fcp-api/models";
