// Validation and defaults for a StartupSpec, in one place. Pure: table-tested without any engine.
import { gunzipSync } from "node:zlib";
import type { FieldError } from "../fcp-api/errors";
import { DEFAULT_CLUSTER_WAIT_SECONDS, DEFAULT_DELIVERY_WAIT_SECONDS, DEFAULT_DEVICE_WAIT_SECONDS, MAX_RUN_TIME_HOURS, WORKSPACE_DIR } from "./constants";
import { envNameProblem, isApiKeyEnvName } from "./env-rules";
import { hiddenByMount } from "./mount-rules";
import { textProblem } from "./text-rules";
import { StartupSpecError } from "./errors";
import { sha256Hex } from "./hash";
import { startupSpecSchema, type StartupSpec } from "./spec";

export interface ResolvedVolume {
  interface: "block" | "file";
  volumeId: string;
  mountPath: string;
  /** Block: device paths to look for, by-id link first. File: empty. */
  devices: string[];
  /** File only: what `mount -t fsType` mounts. */
  source: string;
  fsType: string;
  waitSeconds: number;
}

/** A spec that passed every check, with every default filled in. */
export interface ResolvedStartupSpec {
  taskName: string;
  /** Sorted by name, so the same env always gives the same script. */
  env: [name: string, value: string][];
  /** Sorted by mount path, so a parent is mounted before anything under it. */
  volumes: ResolvedVolume[];
  /** `tar`: the uncompressed archive, for content hashing and secret scanning. */
  code?: { bytes: Buffer; sha256: string; tar: Buffer };
  /** Present only when something arrives over SSH; `secretEnvNames` sorted. */
  delivery?: { codeSha256?: string; secretEnvNames: string[]; waitSeconds: number };
  /** Present only for more than one node. */
  cluster?: { numNodes: number; waitSeconds: number };
  run: { image?: string; command?: string[] | string; workingDir: string; gpus: boolean };
  maxRunTimeHours?: number;
}

const TASK_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
const VOLUME_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
const ABSOLUTE_PATH = /^(\/[A-Za-z0-9._-]+)+$/;
const DEVICE_PATH = /^\/dev\/[A-Za-z0-9._:/-]+$/;
const MOUNT_SOURCE = /^[A-Za-z0-9._:/@[\]-]+$/;
const FS_TYPE = /^[a-z0-9.]{1,32}$/;
const IMAGE = /^[A-Za-z0-9][A-Za-z0-9._/:@-]{0,511}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function checkPath(path: string): string | undefined {
  if (!ABSOLUTE_PATH.test(path)) {
    return `must be an absolute path of letters, digits, '.', '_' and '-' (no trailing slash, no spaces), got ${JSON.stringify(path)}`;
  }
  if (path.split("/").some((part) => part === "." || part === "..")) return `must not contain '.' or '..' segments, got ${JSON.stringify(path)}`;
  return undefined;
}

function checkMountPath(path: string): string | undefined {
  const bad = checkPath(path);
  if (bad) return bad;
  if (hiddenByMount(path)) {
    return `${path} is a system or SSH directory (or this script's own state) and cannot be a mount point; use e.g. /data or /mnt/<name>`;
  }
  return undefined;
}

function decodeCode(code: NonNullable<StartupSpec["code"]>, issues: FieldError[]): Buffer | undefined {
  if ("bytes" in code) return Buffer.from(code.bytes.buffer, code.bytes.byteOffset, code.bytes.byteLength);
  const b64 = code.base64.replace(/\s+/g, "");
  if (b64.length % 4 !== 0 || !BASE64.test(b64)) {
    issues.push({ field: "code.base64", message: "is not valid base64" });
    return undefined;
  }
  return Buffer.from(b64, "base64");
}

function resolve(input: unknown): { spec?: ResolvedStartupSpec; issues: FieldError[] } {
  const parsed = startupSpecSchema.safeParse(input);
  if (!parsed.success) {
    return {
      issues: parsed.error.issues.map((i) => ({ field: i.path.map(String).join(".") || "(spec)", message: i.message })),
    };
  }
  const spec = parsed.data;
  const issues: FieldError[] = [];
  const add = (field: string, message: string, value?: unknown): void => {
    issues.push(value === undefined ? { field, message } : { field, message, value });
  };

  if (!TASK_NAME.test(spec.taskName)) {
    add("taskName", "must be 1-63 letters, digits, '-' or '_', starting with a letter or digit", spec.taskName);
  }

  const numNodes = spec.cluster?.numNodes ?? 1;
  const env = Object.entries(spec.env ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [name, value] of env) {
    const field = `env.${name}`;
    const badName = envNameProblem(name, numNodes);
    if (badName) add(field, badName, isApiKeyEnvName(name) ? undefined : name);
    const bad = textProblem(value);
    if (bad) add(field, `value ${bad}`);
  }

  const volumes: ResolvedVolume[] = [];
  const seenPaths = new Set<string>();
  const seenIds = new Set<string>();
  (spec.volumes ?? []).forEach((v, i) => {
    const at = `volumes.${i}`;
    if (!VOLUME_ID.test(v.volumeId)) add(`${at}.volumeId`, "must be letters, digits, '_' and '-' (an FCP volume id like vol_abc123)", v.volumeId);
    else if (seenIds.has(v.volumeId)) add(`${at}.volumeId`, "is attached twice", v.volumeId);
    seenIds.add(v.volumeId);
    const badPath = checkMountPath(v.mountPath);
    if (badPath) add(`${at}.mountPath`, badPath, v.mountPath);
    else if (seenPaths.has(v.mountPath)) add(`${at}.mountPath`, "is used by two volumes", v.mountPath);
    seenPaths.add(v.mountPath);
    const waitSeconds = v.waitSeconds ?? DEFAULT_DEVICE_WAIT_SECONDS;
    if (v.interface === "block") {
      if (numNodes > 1) {
        add(`${at}.interface`, `a block volume attaches to one instance only, and this task has ${numNodes}; use a file volume to share data`);
      }
      if (v.devicePath !== undefined && !DEVICE_PATH.test(v.devicePath)) add(`${at}.devicePath`, "must be a path under /dev", v.devicePath);
      // virtio exposes at most 20 characters of the serial (the volume id).
      const byId = `/dev/disk/by-id/virtio-${v.volumeId.slice(0, 20)}`;
      const devices = v.devicePath && v.devicePath !== byId ? [byId, v.devicePath] : [byId];
      volumes.push({ interface: "block", volumeId: v.volumeId, mountPath: v.mountPath, devices, source: "", fsType: "", waitSeconds });
    } else {
      const source = v.source ?? v.volumeId;
      const fsType = v.fsType ?? "virtiofs";
      if (!MOUNT_SOURCE.test(source)) add(`${at}.source`, "must be a virtiofs tag or host:/export without spaces", source);
      if (!FS_TYPE.test(fsType)) add(`${at}.fsType`, "must be a filesystem type like virtiofs or nfs4", fsType);
      volumes.push({ interface: "file", volumeId: v.volumeId, mountPath: v.mountPath, devices: [], source, fsType, waitSeconds });
    }
  });
  volumes.sort((a, b) => (a.mountPath < b.mountPath ? -1 : a.mountPath > b.mountPath ? 1 : 0));

  let code: ResolvedStartupSpec["code"];
  if (spec.code) {
    const bytes = decodeCode(spec.code, issues);
    if (bytes) {
      if (bytes.length === 0) add("code", "is empty; leave code unset to upload nothing");
      else if (sha256Hex(bytes) !== spec.code.sha256) {
        add("code.sha256", "does not match the bytes; pass the object packageCode() returned, unchanged");
      } else {
        try {
          code = { bytes, sha256: spec.code.sha256, tar: gunzipSync(bytes) };
        } catch {
          add("code", "is not gzip data; pass the object packageCode() returned");
        }
      }
    }
  }

  let delivery: ResolvedStartupSpec["delivery"];
  if (spec.delivery && (spec.delivery.codeSha256 !== undefined || (spec.delivery.secretEnvNames ?? []).length > 0)) {
    const names = [...(spec.delivery.secretEnvNames ?? [])].sort();
    if (spec.delivery.codeSha256 !== undefined && spec.code) add("delivery.codeSha256", "cannot be given together with code: the package is either in the script or delivered");
    names.forEach((name, i) => {
      const bad = envNameProblem(name, numNodes);
      if (bad) add(`delivery.secretEnvNames.${i}`, bad, isApiKeyEnvName(name) ? undefined : name);
      else if (names.indexOf(name) !== i) add(`delivery.secretEnvNames.${i}`, "is listed twice", name);
      else if (env.some(([n]) => n === name)) add(`delivery.secretEnvNames.${i}`, "is also in env; a variable is either plain or secret", name);
    });
    delivery = { codeSha256: spec.delivery.codeSha256, secretEnvNames: names, waitSeconds: spec.delivery.waitSeconds ?? DEFAULT_DELIVERY_WAIT_SECONDS };
  }

  const run = spec.run;
  if (run.image !== undefined && !IMAGE.test(run.image)) add("run.image", "is not a docker image reference", run.image);
  if (run.command === undefined) {
    if (run.image === undefined) add("run.command", "is required when no image is given (there is nothing to run)");
  } else if (typeof run.command === "string") {
    if (run.command.trim() === "") add("run.command", "is empty");
    const bad = textProblem(run.command);
    if (bad) add("run.command", bad);
  } else {
    if (run.command.length === 0 || run.command[0] === "") add("run.command", "must name a program as its first element");
    run.command.forEach((arg, i) => {
      const bad = textProblem(arg);
      if (bad) add(`run.command.${i}`, bad);
    });
  }
  const workingDir = run.workingDir ?? WORKSPACE_DIR;
  const badDir = checkPath(workingDir);
  if (badDir) add("run.workingDir", badDir, workingDir);

  if (spec.maxRunTimeHours !== undefined) {
    const h = spec.maxRunTimeHours;
    if (!Number.isFinite(h) || h <= 0 || h > MAX_RUN_TIME_HOURS) {
      add("maxRunTimeHours", `must be more than 0 and at most ${MAX_RUN_TIME_HOURS} (7 days)`, h);
    }
  }

  if (issues.length > 0) return { issues };
  return {
    issues,
    spec: {
      taskName: spec.taskName,
      env,
      volumes,
      code,
      delivery,
      cluster: numNodes > 1 ? { numNodes, waitSeconds: spec.cluster?.waitSeconds ?? DEFAULT_CLUSTER_WAIT_SECONDS } : undefined,
      run: { image: run.image, command: run.command, workingDir, gpus: run.gpus ?? true },
      maxRunTimeHours: spec.maxRunTimeHours,
    },
  };
}

/**
 * Every problem with a spec, as `{field, message}`; empty when the spec is valid. For a dynamic
 * provider's `check` and for policies: it never throws.
 */
export function checkStartupSpec(spec: unknown): FieldError[] {
  return resolve(spec).issues;
}

/** Validates `spec` and fills in its defaults. Throws `StartupSpecError` listing every problem. */
export function resolveStartupSpec(spec: unknown): ResolvedStartupSpec {
  const { spec: resolved, issues } = resolve(spec);
  if (!resolved) {
    const name = typeof (spec as { taskName?: unknown } | null)?.taskName === "string" ? ` for task ${(spec as { taskName: string }).taskName}` : "";
    throw new StartupSpecError(`Invalid startup spec${name}: ${issues.map((i) => `${i.field} ${i.message}`).join("; ")}`, issues);
  }
  return resolved;
}
