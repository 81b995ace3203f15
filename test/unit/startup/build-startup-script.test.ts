import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import {
  buildStartupScript,
  packageCode,
  ScriptTooLargeError,
  SecretInScriptError,
  STARTUP_SCRIPT_LIMIT,
  type PackagedCode,
  type StartupSpec,
} from "../../../src/startup";

const sha = (b: Uint8Array | string): string => createHash("sha256").update(b).digest("hex");

let dir: string;
let smallCode: PackagedCode;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "build-startup-"));
  writeFileSync(join(dir, "train.py"), "print('training')\n");
  smallCode = await packageCode(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function gz(bytes: Buffer): { bytes: Buffer; sha256: string } {
  const out = gzipSync(bytes);
  return { bytes: out, sha256: sha(out) };
}

function fullSpec(overrides: Partial<StartupSpec> = {}): StartupSpec {
  return {
    taskName: "train",
    env: { WANDB_PROJECT: "llama", HF_HOME: "/data/hf" },
    volumes: [
      { interface: "block", volumeId: "vol_abc123", mountPath: "/data" },
      { interface: "file", volumeId: "vol_shared", mountPath: "/shared" },
    ],
    code: smallCode,
    run: { image: "nvcr.io/nvidia/pytorch:24.01-py3", command: ["torchrun", "train.py"] },
    maxRunTimeHours: 12,
    ...overrides,
  };
}

/** Extracts the inner script from the compressed form. */
function unwrap(script: string): string {
  const lines = script.split("\n");
  const start = lines.findIndex((l) => l.startsWith("base64 -d <<'FLOW_EOF'"));
  return gunzipSync(Buffer.from(lines[start + 1], "base64")).toString("utf8");
}

describe("buildStartupScript", () => {
  test("puts the sections in their fixed order and leaves out the ones the spec does not need", () => {
    expect(buildStartupScript(fullSpec()).sections.map((s) => s.name)).toEqual([
      "header", "environment", "volumes", "code", "run", "limits", "completion",
    ]);
    expect(buildStartupScript(fullSpec({ volumes: [], cluster: { numNodes: 2 } })).sections.map((s) => s.name)).toEqual([
      "header", "environment", "code", "cluster", "run", "limits", "completion",
    ]);
    expect(
      buildStartupScript({ taskName: "bare", run: { command: "nvidia-smi" } }).sections.map((s) => s.name),
    ).toEqual(["header", "run", "completion"]);
  });

  test("gives the same script for the same spec, whatever the order of env keys", () => {
    const a = buildStartupScript(fullSpec({ env: { A: "1", B: "2" } }));
    const b = buildStartupScript(fullSpec({ env: { B: "2", A: "1" } }));
    expect(b.script).toBe(a.script);
    expect(b.sha256).toBe(a.sha256);
  });

  test("reports sizes and a sha256 of exactly the script", () => {
    const r = buildStartupScript(fullSpec({ env: { GREETING: "日本語 🚀" } }));
    expect(r.strategy).toBe("inline");
    expect(r.bytes).toBe(Buffer.byteLength(r.script, "utf8"));
    expect(r.characters).toBe([...r.script].length);
    expect(r.characters).toBeLessThan(r.bytes);
    expect(r.sha256).toBe(sha(r.script));
    expect(r.inlineBytes).toBe(r.bytes);
    expect(r.sections.reduce((n, s) => n + s.bytes, 0)).toBe(r.bytes);
  });

  test("starts with a shebang and ends with a newline", () => {
    const { script } = buildStartupScript(fullSpec());
    expect(script.startsWith("#!/bin/bash\n")).toBe(true);
    expect(script.endsWith("\n")).toBe(true);
  });

  test("embeds the code package as base64 with its sha256", () => {
    const { script } = buildStartupScript(fullSpec());
    expect(script).toContain(smallCode.bytes.toString("base64"));
    expect(script).toContain(`echo "${smallCode.sha256}  $c" | sha256sum -c`);
  });

  describe("size boundary", () => {
    test("stays inline at exactly the limit and compresses one byte below it", () => {
      const spec = fullSpec();
      const inline = buildStartupScript(spec).inlineBytes;
      expect(buildStartupScript(spec, { maxBytes: inline }).strategy).toBe("inline");
      const compressed = buildStartupScript(spec, { maxBytes: inline - 1 });
      expect(compressed.strategy).toBe("compressed");
      expect(compressed.bytes).toBeLessThanOrEqual(inline - 1);
      expect(compressed.inlineBytes).toBe(inline);
    });

    test("compresses a script over 10,000 bytes that gzip can shrink", () => {
      const env: Record<string, string> = {};
      for (let i = 0; i < 200; i++) env[`SETTING_${i}`] = `value number ${i} of a long but repetitive configuration`;
      const r = buildStartupScript(fullSpec({ env }));
      expect(r.inlineBytes).toBeGreaterThan(STARTUP_SCRIPT_LIMIT);
      expect(r.strategy).toBe("compressed");
      expect(r.bytes).toBeLessThanOrEqual(STARTUP_SCRIPT_LIMIT);
    });

    test("the compressed form holds the plain script and checks its sha256 before running it", () => {
      const spec = fullSpec();
      const plain = buildStartupScript(spec).script;
      const r = buildStartupScript(spec, { strategy: "compressed" });
      expect(r.strategy).toBe("compressed");
      expect(unwrap(r.script)).toBe(plain);
      expect(r.script).toContain(`echo "${sha(plain)}  /var/lib/flow/startup.sh" | sha256sum -c --quiet -`);
      expect(r.script.indexOf("sha256sum -c")).toBeLessThan(r.script.indexOf("exec /bin/bash"));
    });

    test("throws ScriptTooLargeError with the sizes and what to do when neither form fits", () => {
      const code = gz(randomBytes(9000));
      let caught: unknown;
      try {
        buildStartupScript(fullSpec({ code }));
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ScriptTooLargeError);
      const err = caught as ScriptTooLargeError;
      expect(err.errorCode).toBe("STARTUP_SCRIPT_TOO_LARGE");
      expect(err.sizes.limitBytes).toBe(10_000);
      expect(err.sizes.inlineBytes).toBeGreaterThan(10_000);
      expect(err.sizes.compressedBytes).toBeGreaterThan(10_000);
      expect(err.sizes.codeBytes).toBe(code.bytes.length);
      expect(err.sizes.sections[0].name).toBe("code");
      expect(err.message).toMatch(/\d+ bytes, and \d+ bytes compressed; FCP accepts at most 10000/);
      expect(err.suggestions.join(" ")).toMatch(/\.flowignore/);
      expect(err.suggestions.join(" ")).toMatch(/Docker image/);
    });

    test("a forced strategy that does not fit is an error, not a silent switch", () => {
      const spec = fullSpec();
      const inline = buildStartupScript(spec).inlineBytes;
      expect(() => buildStartupScript(spec, { strategy: "inline", maxBytes: inline - 1 })).toThrow(ScriptTooLargeError);
    });
  });

  describe("secrets", () => {
    const key = "fcp_live_0123456789abcdef";

    test.each<[string, Partial<StartupSpec>, string]>([
      ["an env value", { env: { TOKEN: `Bearer ${key}` } }, "env.TOKEN"],
      ["the command", { run: { command: ["curl", "-H", `Authorization: ${key}`] } }, "run.command"],
      ["a shell command", { run: { command: `export K=${key}; python x.py` } }, "run.command"],
    ])("refuses the key in %s, naming where but not the value", (_what, overrides, where) => {
      let caught: unknown;
      try {
        buildStartupScript(fullSpec(overrides), { secrets: [key] });
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(SecretInScriptError);
      const err = caught as SecretInScriptError;
      expect(err.where).toBe(where);
      expect(JSON.stringify({ message: err.message, suggestions: err.suggestions, where: err.where })).not.toContain(key);
    });

    test("refuses the key inside the packaged code, where base64 would hide it from a text search", async () => {
      const d = mkdtempSync(join(tmpdir(), "secret-code-"));
      try {
        writeFileSync(join(d, "config.py"), `API_KEY = "${key}"\n`);
        const code = await packageCode(d);
        expect(() => buildStartupScript(fullSpec({ code }), { secrets: [key] })).toThrow(/in the code package/);
      } finally {
        rmSync(d, { recursive: true, force: true });
      }
    });

    test("builds normally when the key is nowhere in the script", () => {
      expect(buildStartupScript(fullSpec(), { secrets: [key, ""] }).script).not.toContain(key);
    });
  });

  describe("fingerprint", () => {
    test("is stable for the same spec and changes with it", () => {
      expect(buildStartupScript(fullSpec()).fingerprint).toBe(buildStartupScript(fullSpec()).fingerprint);
      expect(buildStartupScript(fullSpec({ env: { A: "2" } })).fingerprint).not.toBe(buildStartupScript(fullSpec({ env: { A: "1" } })).fingerprint);
    });

    test("ignores how the same tar was gzipped, unlike sha256", () => {
      const tar = gunzipSync(smallCode.bytes);
      const fast = gzipSync(tar, { level: 1 });
      const other = buildStartupScript(fullSpec({ code: { bytes: fast, sha256: sha(fast) } }));
      const original = buildStartupScript(fullSpec());
      expect(other.sha256).not.toBe(original.sha256);
      expect(other.fingerprint).toBe(original.fingerprint);
    });
  });

  test("never writes the task env into the script's own shell: only into task_env", () => {
    const { script } = buildStartupScript(fullSpec({ env: { TAR_OPTIONS: "--evil" } }));
    expect(script).toMatch(/^task_env=\($/m);
    expect(script).not.toMatch(/^export TAR_OPTIONS/m);
  });

  test("runs a shell-string command with bash -c on the host and sh -c in a container", () => {
    expect(buildStartupScript({ taskName: "t", run: { command: "python a.py && echo ok" } }).script).toContain(
      "exec bash -c 'python a.py && echo ok'",
    );
    expect(buildStartupScript({ taskName: "t", run: { image: "alpine", command: "echo ok" } }).script).toContain(`"$image" sh -c 'echo ok'`);
  });

  test("without gpus there is no nvidia-smi and no --gpus", () => {
    const { script } = buildStartupScript({ taskName: "t", run: { image: "alpine", gpus: false } });
    expect(script).not.toContain("nvidia-smi");
    expect(script).not.toContain("--gpus");
  });
});
