// Rules between TaskConfig's fields: exactly one instance selector and one entrypoint, volumes that
// fit the bid and each other, and startup's env rules.
import { ENV_NAME_RE, envNameProblem } from "../../startup/env-rules";
import { textProblem } from "../../startup/text-rules";
import { isPlainObject } from "./describe-value";
import { reservedEnvPrefix } from "./field-schemas";
import { normalizePath } from "./paths";
import { isExistingVolume, type VolumeSpec } from "./types";
import { issue, type Ctx } from "./zod-issue";

// Rules between fields. They run even when some fields failed, so every problem is reported at
// once; values that failed their own schema are skipped (they may still be raw input).
export function crossFieldRules(v: object, ctx: Ctx): void {
  if (!isPlainObject(v)) return;
  const raw = v as Record<string, unknown>;
  const given = (k: string) => raw[k] !== undefined;

  if (given("instanceType") && given("minGpuMemoryGb")) {
    issue(ctx, "cannot be combined with instanceType: give exactly one of the two", ["minGpuMemoryGb"]);
  } else if (!given("instanceType") && !given("minGpuMemoryGb")) {
    issue(
      ctx,
      'is required: give exactly one of instanceType (e.g. "a100", "8xh100", "a100-80gb.sxm.1x") or minGpuMemoryGb (e.g. 80, the memory each GPU must have)',
      ["instanceType"],
    );
  }

  const runs = (["command", "shell", "script"] as const).filter(given);
  if (!runs.length) {
    issue(ctx, 'is required: give one of command (["python", "train.py"], or a command line string), shell (a command line) or script (a script\'s content)', ["command"]);
  }
  for (const extra of runs.slice(1)) {
    issue(ctx, `cannot be combined with ${runs[0]}: give exactly one of command, shell and script`, [extra]);
  }

  const numInstances = typeof raw.numInstances === "number" ? raw.numInstances : 1;
  const uploadCode = raw.uploadCode !== false;
  const workingDir = typeof raw.workingDir === "string" && raw.workingDir.startsWith("/") ? normalizePath(raw.workingDir) : undefined;

  startupEnvRules(raw.env, numInstances, ctx);

  if (raw.codeDir !== undefined && raw.uploadCode === false) {
    issue(ctx, "is set but uploadCode is false, so nothing would be uploaded", ["codeDir"], ["Remove codeDir, or set uploadCode to true."]);
  }

  if (!Array.isArray(raw.volumes)) return;
  const mounts: { path: string; index: number }[] = [];
  const ids = new Map<string, number>();
  const names = new Map<string, number>();
  raw.volumes.forEach((vol: unknown, i: number) => {
    if (!isVolumeSpec(vol)) return;
    if (!isExistingVolume(vol)) {
      if (vol.interface === "block" && numInstances > 1) {
        issue(
          ctx,
          `is "block", but FCP cannot attach a block volume to a bid of ${numInstances} instances`,
          ["volumes", i, "interface"],
          ['Use interface: "file" for a volume shared by the cluster, or numInstances: 1.'],
        );
      }
      if (vol.name !== undefined) {
        const first = names.get(vol.name);
        if (first !== undefined) issue(ctx, `repeats the name of volumes[${first}]; volume names must differ`, ["volumes", i, "name"]);
        else names.set(vol.name, i);
      }
    } else {
      const first = ids.get(vol.volumeId);
      if (first !== undefined) issue(ctx, `attaches the same volume as volumes[${first}]; attach each volume once`, ["volumes", i, "volumeId"]);
      else ids.set(vol.volumeId, i);
    }
    if (uploadCode && workingDir !== undefined && vol.mountPath === workingDir) {
      issue(
        ctx,
        `is the workingDir ${workingDir}, where the uploaded code is extracted; the volume would hide it or be overwritten`,
        ["volumes", i, "mountPath"],
        ['Mount the volume elsewhere (e.g. "/data"), or set uploadCode: false to use code already on the volume.'],
      );
    }
    for (const m of mounts) {
      if (m.path === vol.mountPath) {
        issue(ctx, `is also the mountPath of volumes[${m.index}]; each volume needs its own path`, ["volumes", i, "mountPath"]);
      } else if (m.path.startsWith(`${vol.mountPath}/`)) {
        issue(
          ctx,
          `contains volumes[${m.index}].mountPath ${m.path}, which is mounted first and would be hidden`,
          ["volumes", i, "mountPath"],
          ["List the outer volume before the inner one."],
        );
      }
    }
    mounts.push({ path: vol.mountPath, index: i });
  });
}

// The startup script's own env rules (the FCP API key's usual names, variables bash keeps
// read-only, the cluster's rendezvous names on a cluster, NUL, invalid Unicode), checked now
// rather than at deploy. Names this model already refused are not reported twice.
function startupEnvRules(env: unknown, numInstances: number, ctx: Ctx): void {
  if (!isPlainObject(env) || !Object.values(env).every((value) => typeof value === "string")) return;
  for (const [name, value] of Object.entries(env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!ENV_NAME_RE.test(name) || reservedEnvPrefix(name)) continue;
    const badName = envNameProblem(name, numInstances);
    if (badName) issue(ctx, badName, ["env", name]);
    const badValue = textProblem(value as string);
    if (badValue) issue(ctx, `value ${badValue}`, ["env", name]);
  }
}

function isVolumeSpec(v: unknown): v is VolumeSpec {
  if (!v || typeof v !== "object") return false;
  const o = v as Record<string, unknown>;
  return typeof o.mountPath === "string" && (typeof o.volumeId === "string" || (typeof o.sizeGb === "number" && typeof o.interface === "string"));
}
