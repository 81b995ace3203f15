// Reading mithril-dialect requests as the live FastAPI service does: pydantic's lax parsing,
// every issue reported at once with its `loc`, and fields a model does not declare ignored
// (FastAPI's default: extra query parameters and body fields are dropped, not refused).
import { FastApiValidationProblem, type FastApiIssue, type Loc } from "./errors";

export type Spec =
  | { t: "str"; nullable?: boolean; maxLength?: number; pattern?: string }
  | { t: "int"; nullable?: boolean; gt?: number; ge?: number; le?: number }
  | { t: "bool"; nullable?: boolean }
  | { t: "enum"; values: readonly string[]; nullable?: boolean }
  | { t: "list"; item: Spec; nullable?: boolean }
  | { t: "obj"; fields: Readonly<Record<string, Spec>>; required: readonly string[]; nullable?: boolean };

/** The parsed value: `undefined` for a field that was not sent. */
export type Parsed = Record<string, unknown>;

function enumMessage(values: readonly string[]): string {
  const quoted = values.map((v) => `'${v}'`);
  return `Input should be ${quoted.length > 1 ? `${quoted.slice(0, -1).join(", ")} or ${quoted[quoted.length - 1]}` : quoted[0]}`;
}

/** One value against its spec; `fromQuery` allows the string forms a query string carries. */
function check(spec: Spec, value: unknown, loc: Loc, issues: FastApiIssue[], fromQuery: boolean): unknown {
  if (value === null && spec.nullable) return null;
  switch (spec.t) {
    case "str":
      if (typeof value !== "string") return void issues.push({ loc, msg: "Input should be a valid string", type: "string_type" });
      if (spec.maxLength !== undefined && Array.from(value).length > spec.maxLength) {
        return void issues.push({ loc, msg: `String should have at most ${spec.maxLength} characters`, type: "string_too_long" });
      }
      if (spec.pattern !== undefined && !new RegExp(spec.pattern).test(value)) {
        return void issues.push({ loc, msg: `String should match pattern '${spec.pattern}'`, type: "string_pattern_mismatch" });
      }
      return value;
    case "int": {
      let n: number;
      if (typeof value === "number") {
        if (!Number.isInteger(value)) return void issues.push({ loc, msg: "Input should be a valid integer, got a number with a fractional part", type: "int_from_float" });
        n = value;
      } else if (typeof value === "string") {
        if (!/^\s*[-+]?\d+\s*$/.test(value)) return void issues.push({ loc, msg: "Input should be a valid integer, unable to parse string as an integer", type: "int_parsing" });
        n = Number(value);
      } else {
        return void issues.push({ loc, msg: "Input should be a valid integer", type: "int_type" });
      }
      if (spec.gt !== undefined && !(n > spec.gt)) return void issues.push({ loc, msg: `Input should be greater than ${spec.gt}`, type: "greater_than" });
      if (spec.ge !== undefined && n < spec.ge) return void issues.push({ loc, msg: `Input should be greater than or equal to ${spec.ge}`, type: "greater_than_equal" });
      if (spec.le !== undefined && n > spec.le) return void issues.push({ loc, msg: `Input should be less than or equal to ${spec.le}`, type: "less_than_equal" });
      return n;
    }
    case "bool":
      if (typeof value === "boolean") return value;
      if (value === 0 || value === 1) return value === 1;
      if (typeof value === "string") {
        const v = value.toLowerCase();
        if (["true", "1", "yes", "on", "t", "y"].includes(v)) return true;
        if (["false", "0", "no", "off", "f", "n"].includes(v)) return false;
        return void issues.push({ loc, msg: "Input should be a valid boolean, unable to interpret input", type: "bool_parsing" });
      }
      return void issues.push({ loc, msg: "Input should be a valid boolean", type: "bool_type" });
    case "enum":
      if (typeof value === "string" && spec.values.includes(value)) return value;
      return void issues.push({ loc, msg: enumMessage(spec.values), type: "enum" });
    case "list": {
      if (!Array.isArray(value)) return void issues.push({ loc, msg: "Input should be a valid list", type: "list_type" });
      return value.map((item, i) => check(spec.item, item, [...loc, i], issues, fromQuery));
    }
    case "obj": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        return void issues.push({ loc, msg: "Input should be a valid dictionary or object to extract fields from", type: "model_attributes_type" });
      }
      const out: Parsed = {};
      for (const [name, fieldSpec] of Object.entries(spec.fields)) {
        const raw = Object.hasOwn(value, name) ? (value as Record<string, unknown>)[name] : undefined;
        if (raw === undefined) {
          if (spec.required.includes(name)) issues.push({ loc: [...loc, name], msg: "Field required", type: "missing" });
          continue;
        }
        out[name] = check(fieldSpec, raw, [...loc, name], issues, fromQuery);
      }
      return out;
    }
  }
}

/** A JSON body against a model; a missing body is FastAPI's `loc: ["body"]` "Field required". */
export function parseMithrilBody(spec: Extract<Spec, { t: "obj" }>, body: unknown): Parsed {
  if (body === undefined) throw new FastApiValidationProblem([{ loc: ["body"], msg: "Field required", type: "missing" }]);
  const issues: FastApiIssue[] = [];
  const parsed = check(spec, body, ["body"], issues, false) as Parsed;
  if (issues.length > 0) throw new FastApiValidationProblem(issues);
  return parsed;
}

/**
 * Query parameters against their specs. Lists take repeated parameters and comma-separated
 * values alike (the OpenAPI describes them as "Comma-separated list"); other parameters take
 * their last value, as Starlette does.
 */
export function parseMithrilQuery(specs: Readonly<Record<string, Spec>>, required: readonly string[], query: URLSearchParams): Parsed {
  const issues: FastApiIssue[] = [];
  const out: Parsed = {};
  for (const [name, spec] of Object.entries(specs)) {
    const all = query.getAll(name);
    if (all.length === 0) {
      if (required.includes(name)) issues.push({ loc: ["query", name], msg: "Field required", type: "missing" });
      continue;
    }
    const raw = spec.t === "list" ? all.flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== "") : all[all.length - 1];
    out[name] = check(spec, raw, ["query", name], issues, true);
  }
  if (issues.length > 0) throw new FastApiValidationProblem(issues);
  return out;
}

// The request models of the OpenAPI document, field for field.
const strList: Spec = { t: "list", item: { t: "str" } };
export const VOLUME_NAME_PATTERN = "^[a-z]([-a-z0-9]*[a-z0-9])?$";

export const launchSpecificationModel: Extract<Spec, { t: "obj" }> = {
  t: "obj",
  fields: {
    volumes: strList,
    ssh_keys: strList,
    startup_script: { t: "str", nullable: true },
    kubernetes_cluster: { t: "str", nullable: true },
    image_version: { t: "str", nullable: true },
    memory_gb: { t: "int", nullable: true },
  },
  required: ["volumes", "ssh_keys"],
};

export const createBidRequest: Extract<Spec, { t: "obj" }> = {
  t: "obj",
  fields: {
    project: { t: "str" },
    region: { t: "str" },
    instance_type: { t: "str" },
    limit_price: { t: "str" },
    instance_quantity: { t: "int" },
    name: { t: "str" },
    launch_specification: launchSpecificationModel,
    notification_email: { t: "str", nullable: true },
  },
  required: ["project", "region", "instance_type", "limit_price", "instance_quantity", "name", "launch_specification"],
};

export const updateBidRequest: Extract<Spec, { t: "obj" }> = {
  t: "obj",
  fields: {
    limit_price: { t: "str", nullable: true },
    paused: { t: "bool", nullable: true },
    volumes: { t: "list", item: { t: "str" }, nullable: true },
    memory_gb: { t: "int", nullable: true },
  },
  required: [],
};

export const DISK_INTERFACES = ["Block", "File"] as const;

export const createVolumeRequest: Extract<Spec, { t: "obj" }> = {
  t: "obj",
  fields: {
    name: { t: "str", maxLength: 64, pattern: VOLUME_NAME_PATTERN },
    project: { t: "str" },
    disk_interface: { t: "enum", values: DISK_INTERFACES },
    region: { t: "str" },
    // The document's Size type (gt 0 bytes, lt 2 PiB); the emulator takes whole gigabytes.
    size_gb: { t: "int", gt: 0, le: 2 * 1024 * 1024 },
  },
  required: ["name", "project", "disk_interface", "region", "size_gb"],
};

export const updateVolumeRequest: Extract<Spec, { t: "obj" }> = {
  t: "obj",
  fields: { name: { t: "str", maxLength: 64, pattern: VOLUME_NAME_PATTERN } },
  required: ["name"],
};

export const createSshKeyRequest: Extract<Spec, { t: "obj" }> = {
  t: "obj",
  fields: { project: { t: "str" }, name: { t: "str" }, public_key: { t: "str", nullable: true }, required: { t: "bool" } },
  required: ["project", "name"],
};

export const updateSshKeyRequest: Extract<Spec, { t: "obj" }> = {
  t: "obj",
  fields: { required: { t: "bool" } },
  required: ["required"],
};

export const BID_STATUS_FILTERS = ["Open", "Allocated", "Preempting", "Terminated", "Paused"] as const;
export const INSTANCE_STATUSES = [
  "STATUS_NEW",
  "STATUS_CONFIRMED",
  "STATUS_INITIALIZING",
  "STATUS_STARTING",
  "STATUS_RUNNING",
  "STATUS_STOPPING",
  "STATUS_TERMINATED",
  "STATUS_RELOCATING",
  "STATUS_PREEMPTING",
  "STATUS_PREEMPTED",
  "STATUS_REPLACED",
  "STATUS_PAUSED",
  "STATUS_ERROR",
] as const;

const sortDir: Spec = { t: "enum", values: ["asc", "desc"], nullable: true };
const limit: Spec = { t: "int", ge: 1, le: 100 };

export const listBidsQuery: Readonly<Record<string, Spec>> = {
  next_cursor: { t: "str" },
  sort_by: { t: "enum", values: ["created_at", "status"] },
  sort_dir: sortDir,
  project: { t: "str" },
  instance_type: { t: "str" },
  region: { t: "str" },
  status: { t: "enum", values: BID_STATUS_FILTERS },
  name: { t: "str" },
  limit,
};

export const listInstancesQuery: Readonly<Record<string, Spec>> = {
  next_cursor: { t: "str" },
  sort_by: { t: "enum", values: ["created_at", "instance_status", "instance_type_fid"] },
  sort_dir: sortDir,
  project: { t: "str" },
  instance_type: { t: "str" },
  region: { t: "str" },
  status_in: { t: "list", item: { t: "enum", values: INSTANCE_STATUSES } },
  order_type_in: { t: "list", item: { t: "enum", values: ["Bid", "Reservation"] } },
  bid_fid_in: strList,
  reservation_fid_in: strList,
  limit,
};

export const listVolumesQuery: Readonly<Record<string, Spec>> = {
  project: { t: "str" },
  region: { t: "str" },
  include_deleted: { t: "bool" },
};
