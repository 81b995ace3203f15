import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { ValidationError } from "../../../src/fcp-api/errors";
import { checkStartupSpec, resolveStartupSpec, StartupSpecError, type StartupSpec } from "../../../src/startup";

const codeBytes = gzipSync(Buffer.from("a tar would be here"));
const notGzip = Buffer.from("plain text, not gzip");
const code = { bytes: codeBytes, sha256: createHash("sha256").update(codeBytes).digest("hex") };

function spec(overrides: Partial<StartupSpec> = {}): StartupSpec {
  return {
    taskName: "train-1",
    env: { WANDB_PROJECT: "llama" },
    volumes: [{ interface: "block", volumeId: "vol_abc123", mountPath: "/data" }],
    code,
    run: { command: ["python", "train.py"] },
    maxRunTimeHours: 4,
    ...overrides,
  };
}

describe("checkStartupSpec", () => {
  test("a happy-path spec has no problems", () => {
    expect(checkStartupSpec(spec())).toEqual([]);
  });

  describe.each<[string, Partial<StartupSpec>, string, RegExp]>([
    ["task name with a space", { taskName: "my task" }, "taskName", /letters, digits/],
    ["empty task name", { taskName: "" }, "taskName", /1-63/],
    ["env name starting with a digit", { env: { "1X": "a" } }, "env.1X", /not a valid variable name/],
    ["env name with a dash", { env: { "A-B": "a" } }, "env.A-B", /not a valid variable name/],
    ["the FCP API key by name", { env: { FCP_API_KEY: "k" } }, "env.FCP_API_KEY", /API key/],
    ["the Mithril API key by name", { env: { MITHRIL_API_KEY: "k" } }, "env.MITHRIL_API_KEY", /API key/],
    ["the Flow SDK's API key by name", { env: { FLOW_API_KEY: "k" } }, "env.FLOW_API_KEY", /API key/],
    ["an alias people give the key", { env: { MLFOUNDRY_API_KEY: "k" } }, "env.MLFOUNDRY_API_KEY", /API key/],
    ["reserved FLOW_ prefix", { env: { FLOW_NODE_RANK: "3" } }, "env.FLOW_NODE_RANK", /reserved prefix/],
    ["bash read-only variable", { env: { UID: "0" } }, "env.UID", /read-only or recomputes/],
    ["bash dynamic variable", { env: { RANDOM: "4" } }, "env.RANDOM", /read-only or recomputes/],
    ["NUL in a value", { env: { A: "x\u0000y" } }, "env.A", /NUL/],
    ["lone surrogate in a value", { env: { A: "x\ud800y" } }, "env.A", /valid Unicode/],
    ["cluster name in a multi-node env", { cluster: { numNodes: 2 }, volumes: [], env: { NODE_RANK: "1" } }, "env.NODE_RANK", /cluster section/],
    ["relative mount path", { volumes: [{ interface: "block", volumeId: "vol_a", mountPath: "data" }] }, "volumes.0.mountPath", /absolute path/],
    ["mount path with a space", { volumes: [{ interface: "block", volumeId: "vol_a", mountPath: "/my data" }] }, "volumes.0.mountPath", /no spaces/],
    ["mount path with ..", { volumes: [{ interface: "block", volumeId: "vol_a", mountPath: "/data/../etc" }] }, "volumes.0.mountPath", /'\.\.'/],
    ["mount over /etc", { volumes: [{ interface: "block", volumeId: "vol_a", mountPath: "/etc/x" }] }, "volumes.0.mountPath", /system or SSH/],
    ["mount over /home", { volumes: [{ interface: "block", volumeId: "vol_a", mountPath: "/home" }] }, "volumes.0.mountPath", /system or SSH/],
    ["mount over the script's state", { volumes: [{ interface: "block", volumeId: "vol_a", mountPath: "/var/lib/flow" }] }, "volumes.0.mountPath", /own state/],
    [
      "two volumes on one path",
      { volumes: [{ interface: "block", volumeId: "vol_a", mountPath: "/data" }, { interface: "file", volumeId: "vol_b", mountPath: "/data" }] },
      "volumes.1.mountPath",
      /two volumes/,
    ],
    [
      "one volume twice",
      { volumes: [{ interface: "block", volumeId: "vol_a", mountPath: "/a" }, { interface: "block", volumeId: "vol_a", mountPath: "/b" }] },
      "volumes.1.volumeId",
      /attached twice/,
    ],
    ["volume id with a slash", { volumes: [{ interface: "block", volumeId: "vol/a", mountPath: "/a" }] }, "volumes.0.volumeId", /FCP volume id/],
    ["device outside /dev", { volumes: [{ interface: "block", volumeId: "vol_a", mountPath: "/a", devicePath: "/tmp/x" }] }, "volumes.0.devicePath", /under \/dev/],
    ["block volume on several nodes", { cluster: { numNodes: 2 } }, "volumes.0.interface", /one instance only/],
    ["file volume source with a space", { volumes: [{ interface: "file", volumeId: "vol_a", mountPath: "/a", source: "x y" }] }, "volumes.0.source", /virtiofs tag/],
    ["unknown volume interface", { volumes: [{ interface: "tape", volumeId: "vol_a", mountPath: "/a" } as never] }, "volumes.0.interface", /./],
    ["code whose hash does not match", { code: { bytes: codeBytes, sha256: "0".repeat(64) } }, "code.sha256", /does not match/],
    ["code hash in upper case", { code: { bytes: codeBytes, sha256: code.sha256.toUpperCase() } }, "code.sha256", /lowercase hex/],
    ["code as broken base64", { code: { base64: "@@@@", sha256: code.sha256 } }, "code.base64", /not valid base64/],
    ["code that is not gzip", { code: { bytes: notGzip, sha256: createHash("sha256").update(notGzip).digest("hex") } }, "code", /not gzip/],
    ["empty code", { code: { bytes: Buffer.alloc(0), sha256: createHash("sha256").update("").digest("hex") } }, "code", /empty/],
    ["no command and no image", { run: {} }, "run.command", /required when no image/],
    ["empty argv", { run: { command: [] } }, "run.command", /name a program/],
    ["blank shell command", { run: { command: "  " } }, "run.command", /empty/],
    ["NUL in an argument", { run: { command: ["echo", "a\u0000"] } }, "run.command.1", /NUL/],
    ["image with a space", { run: { image: "my image", command: "x" } }, "run.image", /docker image/],
    ["relative working dir", { run: { command: "x", workingDir: "src" } }, "run.workingDir", /absolute/],
    ["zero run time", { maxRunTimeHours: 0 }, "maxRunTimeHours", /more than 0/],
    ["run time beyond 7 days", { maxRunTimeHours: 169 }, "maxRunTimeHours", /at most 168/],
    ["cluster of zero nodes", { cluster: { numNodes: 0 } }, "cluster.numNodes", /./],
  ])("%s", (_title, overrides, field, message) => {
    test(`is reported on ${field}`, () => {
      const issues = checkStartupSpec(spec(overrides));
      const issue = issues.find((i) => i.field === field);
      expect(issue).toBeDefined();
      expect(issue?.message).toMatch(message);
    });
  });

  test("never echoes an env value in a problem", () => {
    const issues = checkStartupSpec(spec({ env: { A: "secret-ish\u0000value" } }));
    expect(JSON.stringify(issues)).not.toContain("secret-ish");
  });

  test("lists every problem, not only the first", () => {
    expect(checkStartupSpec(spec({ taskName: "a b", maxRunTimeHours: -1, run: {} })).map((i) => i.field)).toEqual([
      "taskName",
      "run.command",
      "maxRunTimeHours",
    ]);
  });

  test.each(["PATH", "PWD", "IFS", "BASH_ENV", "LD_PRELOAD", "TAR_OPTIONS", "lower_case", "_JAVA_OPTIONS", "MASTER_PORT"])(
    "accepts the env name %s (it reaches the task unchanged)",
    (name) => {
      expect(checkStartupSpec(spec({ env: { [name]: "v" } }))).toEqual([]);
    },
  );
});

describe("resolveStartupSpec", () => {
  test("fills in the defaults", () => {
    const r = resolveStartupSpec(spec({ env: undefined, volumes: undefined, code: undefined, maxRunTimeHours: undefined }));
    expect(r.env).toEqual([]);
    expect(r.volumes).toEqual([]);
    expect(r.code).toBeUndefined();
    expect(r.cluster).toBeUndefined();
    expect(r.run).toEqual({ image: undefined, command: ["python", "train.py"], workingDir: "/workspace", gpus: true });
  });

  test("sorts env by name and volumes by mount path (parents first), so equal specs give equal scripts", () => {
    const r = resolveStartupSpec(
      spec({
        env: { B: "2", A: "1", a: "3" },
        volumes: [
          { interface: "block", volumeId: "vol_b", mountPath: "/data/sub" },
          { interface: "file", volumeId: "vol_a", mountPath: "/data" },
        ],
      }),
    );
    expect(r.env).toEqual([["A", "1"], ["B", "2"], ["a", "3"]]);
    expect(r.volumes.map((v) => v.mountPath)).toEqual(["/data", "/data/sub"]);
  });

  test("looks for a block volume by its virtio serial (first 20 characters of the id), then the hint", () => {
    const r = resolveStartupSpec(
      spec({ volumes: [{ interface: "block", volumeId: "vol_0123456789abcdefghij", mountPath: "/data", devicePath: "/dev/vdb" }] }),
    );
    expect(r.volumes[0].devices).toEqual(["/dev/disk/by-id/virtio-vol_0123456789abcdef", "/dev/vdb"]);
  });

  test("mounts a file volume as virtiofs tagged with its id unless told otherwise", () => {
    const r = resolveStartupSpec(spec({ volumes: [{ interface: "file", volumeId: "vol_f", mountPath: "/shared" }] }));
    expect(r.volumes[0]).toMatchObject({ source: "vol_f", fsType: "virtiofs", waitSeconds: 300 });
  });

  test("treats a one-node cluster as no cluster", () => {
    expect(resolveStartupSpec(spec({ cluster: { numNodes: 1 } })).cluster).toBeUndefined();
    expect(resolveStartupSpec(spec({ cluster: { numNodes: 4 }, volumes: [] })).cluster).toEqual({ numNodes: 4, waitSeconds: 1800 });
  });

  test("accepts code as base64", () => {
    const r = resolveStartupSpec(spec({ code: { base64: codeBytes.toString("base64"), sha256: code.sha256 } }));
    expect(r.code?.bytes.equals(codeBytes)).toBe(true);
  });

  test("throws a StartupSpecError, a ValidationError with every field error", () => {
    let caught: unknown;
    try {
      resolveStartupSpec(spec({ taskName: "a b", env: { "1A": "x" } }));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(StartupSpecError);
    expect(caught).toBeInstanceOf(ValidationError);
    const err = caught as StartupSpecError;
    expect(err.errorCode).toBe("STARTUP_SPEC_INVALID");
    expect(err.fieldErrors.map((f) => f.field)).toEqual(["taskName", "env.1A"]);
    expect(err.message).toMatch(/task a b.*taskName.*env\.1A/);
  });

  test("rejects what is not a spec at all", () => {
    expect(() => resolveStartupSpec(null)).toThrow(StartupSpecError);
    expect(() => resolveStartupSpec({ taskName: "x" })).toThrow(/run/);
  });
});
