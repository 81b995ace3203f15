import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { FcpClient } from "../../../src/fcp-client/client";
import { API_KEY_ENV_VARS, CONFIG_ENV_VARS, liveClientConfigPath, loadConfig, requireApiKey, resolveProjectFid } from "../../../src/fcp-client/config";
import { AuthenticationError, ResourceNotFoundError, ValidationError } from "../../../src/fcp-api/errors";

/** A fresh cwd and home, with the files given (path relative to each). */
function sandbox(files: { cwd?: Record<string, string>; home?: Record<string, string> } = {}, credMode = 0o600) {
  const root = mkdtempSync(join(tmpdir(), "fcp-config-"));
  const cwd = join(root, "project");
  const homeDir = join(root, "home");
  for (const [base, set] of [
    [cwd, files.cwd ?? {}],
    [homeDir, files.home ?? {}],
  ] as const) {
    mkdirSync(join(base, ".flow"), { recursive: true });
    for (const [rel, text] of Object.entries(set)) {
      writeFileSync(join(base, rel), text);
      if (rel.endsWith("credentials.fcp")) chmodSync(join(base, rel), credMode);
    }
  }
  return { cwd, homeDir };
}

const FULL = {
  cwd: { ".flow/config.yaml": "api_key: key-local\nproject: local-proj\nregion: local-region\napi_url: https://local.example\n" },
  home: {
    ".flow/config.yaml": "api_key: key-global\nproject: global-proj\nregion: global-region\napi_url: https://global.example\n",
    ".flow/credentials.fcp": "[default]\napi_key = key-credentials\n",
  },
};
const ENV = { FLOW_API_KEY: "key-env", FLOW_PROJECT: "env-proj", FLOW_REGION: "env-region", FLOW_API_URL: "https://env.example" };

describe("loadConfig precedence: explicit > env > ./.flow > ~/.flow > credentials.fcp > defaults", () => {
  it("explicit args win over everything", () => {
    const ctx = { ...sandbox(FULL), env: ENV };
    const c = loadConfig({ apiKey: "key-explicit", project: "p", region: "r", apiUrl: "https://x.example" }, ctx);
    expect(c).toMatchObject({ apiKey: "key-explicit", project: "p", region: "r", apiUrl: "https://x.example" });
    expect(c.sources).toEqual({ apiKey: "explicit", project: "explicit", region: "explicit", apiUrl: "explicit" });
  });

  it("env vars (FLOW_*) come next", () => {
    const ctx = { ...sandbox(FULL), env: ENV };
    const c = loadConfig({}, ctx);
    expect(c).toMatchObject({ apiKey: "key-env", project: "env-proj", region: "env-region", apiUrl: "https://env.example" });
    expect(c.sources.apiKey).toBe("FLOW_API_KEY");
  });

  it("FCP_* env vars count too (FLOW_* first when both are set)", () => {
    const ctx = { ...sandbox(FULL), env: { FCP_API_KEY: "key-fcp", FCP_PROJECT: "fcp-proj", FLOW_PROJECT: "flow-proj", FCP_REGION: "" } };
    const c = loadConfig({}, ctx);
    expect(c).toMatchObject({ apiKey: "key-fcp", project: "flow-proj", region: "local-region" });
    expect(c.sources.apiKey).toBe("FCP_API_KEY");
  });

  it("./.flow/config.yaml beats ~/.flow/config.yaml", () => {
    const ctx = { ...sandbox(FULL), env: {} };
    const c = loadConfig({}, ctx);
    expect(c).toMatchObject({ apiKey: "key-local", project: "local-proj", region: "local-region", apiUrl: "https://local.example" });
    expect(c.sources.project).toBe(join(ctx.cwd, ".flow", "config.yaml"));
  });

  it("~/.flow/config.yaml fills what the local file lacks, per key", () => {
    const ctx = { ...sandbox({ cwd: { ".flow/config.yaml": "project: local-proj\n" }, home: FULL.home }), env: {} };
    const c = loadConfig({ region: "explicit-region" }, ctx);
    expect(c).toMatchObject({ apiKey: "key-global", project: "local-proj", region: "explicit-region", apiUrl: "https://global.example" });
  });

  it("reads a provider section (fcp:) in config.yaml", () => {
    const ctx = { ...sandbox({ home: { ".flow/config.yaml": "provider: fcp\nfcp:\n  project: sect-proj\n  region: sect-region\n" } }), env: {} };
    expect(loadConfig({}, ctx)).toMatchObject({ project: "sect-proj", region: "sect-region" });
  });

  it("~/.flow/credentials.fcp supplies the key when nothing else does", () => {
    const ctx = { ...sandbox({ home: { ".flow/credentials.fcp": FULL.home[".flow/credentials.fcp"] } }), env: {} };
    const c = loadConfig({}, ctx);
    expect(c.apiKey).toBe("key-credentials");
    expect(c.sources.apiKey).toBe(join(ctx.homeDir, ".flow", "credentials.fcp"));
  });

  it.each([
    ["[default]\napi_key = abc-123\n", "abc-123"],
    ["# comment\napi_key: 'abc-456'\n", "abc-456"],
    ["abc-789\n", "abc-789"],
  ])("reads credentials written as %p", (text, key) => {
    const ctx = { ...sandbox({ home: { ".flow/credentials.fcp": text } }), env: {} };
    expect(loadConfig({}, ctx).apiKey).toBe(key);
  });

  it("defaults the API URL to https://api.mlfoundry.com", () => {
    const c = loadConfig({}, { ...sandbox(), env: {} });
    expect(c).toMatchObject({ apiUrl: "https://api.mlfoundry.com", sources: { apiUrl: "default" } });
    expect(c.apiKey).toBeUndefined();
    expect(() => requireApiKey(c)).toThrow(AuthenticationError);
    expect(() => requireApiKey(c)).toThrow(/No FCP API key is configured/);
  });

  it("names the file when config.yaml is not valid YAML", () => {
    const ctx = { ...sandbox({ cwd: { ".flow/config.yaml": "project: [unclosed\n" } }), env: {} };
    expect(() => loadConfig({}, ctx)).toThrow(/config\.yaml is not valid YAML/);
  });
});

describe("the 0600 rule for ~/.flow/credentials.fcp", () => {
  it.each([0o644, 0o640, 0o604, 0o660])("refuses mode %s with a clear error and the fix", (mode) => {
    const ctx = { ...sandbox({ home: { ".flow/credentials.fcp": "api_key = secret-key-123456\n" } }, mode), env: {} };
    let err: unknown;
    try {
      loadConfig({}, ctx);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).message).toMatch(/readable by group or others \(mode 0\d{3}\)/);
    expect((err as ValidationError).errorCode).toBe("INSECURE_CREDENTIALS_FILE");
    expect((err as ValidationError).suggestions[0]).toMatch(/chmod 600 .*credentials\.fcp/);
    expect(inspect(err)).not.toContain("secret-key-123456");
  });

  it.each([0o600, 0o400])("accepts mode %s", (mode) => {
    const ctx = { ...sandbox({ home: { ".flow/credentials.fcp": "api_key = k-123456\n" } }, mode), env: {} };
    expect(loadConfig({}, ctx).apiKey).toBe("k-123456");
  });

  it("does not open the file at all when the key comes from elsewhere", () => {
    const ctx = { ...sandbox({ home: { ".flow/credentials.fcp": "api_key = k\n" } }, 0o644), env: { FCP_API_KEY: "from-env" } };
    expect(loadConfig({}, ctx).apiKey).toBe("from-env");
  });
});

describe("resolveProjectFid", () => {
  const projects = [
    { fid: "proj_1", name: "alpha" },
    { fid: "proj_2", name: "beta" },
    { fid: "proj_3", name: "twin" },
    { fid: "proj_4", name: "twin" },
  ];
  it("resolves names and passes FIDs through", async () => {
    await expect(resolveProjectFid("alpha", projects)).resolves.toBe("proj_1");
    await expect(resolveProjectFid("proj_2", projects)).resolves.toBe("proj_2");
    await expect(resolveProjectFid("beta", { listProjects: async () => projects })).resolves.toBe("proj_2");
  });
  it("refuses unknown and ambiguous names", async () => {
    await expect(resolveProjectFid("gamma", projects)).rejects.toBeInstanceOf(ResourceNotFoundError);
    await expect(resolveProjectFid("twin", projects)).rejects.toThrow(/ambiguous: proj_3, proj_4/);
  });
});

describe("FcpClient.fromConfig", () => {
  it("builds a client from the loaded configuration", async () => {
    const ctx = { ...sandbox(FULL), env: {} };
    const c = FcpClient.fromConfig({}, { context: ctx });
    expect(c.apiUrl).toBe("https://local.example");
    expect(c.project).toBe("local-proj");
    expect(JSON.stringify(c)).not.toContain("key-local");
    await c.close();
  });
});

describe("the live client's names and files, read after ours", () => {
  it("API_KEY_ENV_VARS is the one order: FLOW_API_KEY, FCP_API_KEY, MITHRIL_API_KEY", () => {
    expect(API_KEY_ENV_VARS).toEqual(["FLOW_API_KEY", "FCP_API_KEY", "MITHRIL_API_KEY"]);
    expect(CONFIG_ENV_VARS.apiKey).toBe(API_KEY_ENV_VARS);
  });

  it("MITHRIL_* env vars fill what ours leave unset, and lose where both are set", () => {
    const env = { MITHRIL_API_KEY: "key-mithril", MITHRIL_API_URL: "https://live.example", MITHRIL_PROJECT: "live-proj", FCP_PROJECT: "ours" };
    const c = loadConfig({}, { ...sandbox(), env });
    expect(c).toMatchObject({ apiKey: "key-mithril", apiUrl: "https://live.example", project: "ours" });
    expect(c.sources).toMatchObject({ apiKey: "MITHRIL_API_KEY", apiUrl: "MITHRIL_API_URL", project: "FCP_PROJECT" });
    expect(loadConfig({}, { ...sandbox(), env: { ...env, FCP_API_KEY: "key-fcp" } }).apiKey).toBe("key-fcp");
  });

  it("reads the live client's `mithril:` section below ours in the same file", () => {
    const yaml = "api_key: key-live\nprovider: mithril\nmithril:\n  api_url: https://live.example\n  project: live-proj\n  region: live-region\nregion: ours\n";
    const c = loadConfig({}, { ...sandbox({ home: { ".flow/config.yaml": yaml } }), env: {} });
    expect(c).toMatchObject({ apiKey: "key-live", apiUrl: "https://live.example", project: "live-proj", region: "ours" });
  });

  it.each([
    ["FLOW_CONFIG_PATH", (root: string) => ({ FLOW_CONFIG_PATH: join(root, "elsewhere.yaml") }), "elsewhere.yaml"],
    ["FLOW_DIR", (root: string) => ({ FLOW_DIR: join(root, "flowdir") }), "flowdir/config.yaml"],
  ])("reads the live client's own file from %s, after ours and after credentials.fcp", (_name, envOf, rel) => {
    const ctx = sandbox({ home: { ".flow/credentials.fcp": "api_key = key-credentials\n", ".flow/config.yaml": "region: ours\n" } });
    const root = join(ctx.homeDir, "..");
    mkdirSync(join(root, "flowdir"), { recursive: true });
    writeFileSync(join(root, rel), "api_key: key-live-file\nmithril:\n  project: live-proj\n  region: live-region\n");
    const c = loadConfig({}, { ...ctx, env: envOf(root) });
    expect(c).toMatchObject({ apiKey: "key-credentials", project: "live-proj", region: "ours" });
    expect(c.sources.project).toBe(join(root, rel));
    expect(liveClientConfigPath(envOf(root), ctx.homeDir)).toBe(join(root, rel));
  });

  it("takes the dialect from FLOW_DIALECT/FCP_DIALECT or `dialect:` in a file; auto by default", () => {
    expect(loadConfig({}, { ...sandbox(), env: {} }).dialect).toBe("auto");
    expect(loadConfig({}, { ...sandbox(), env: { FCP_DIALECT: "mithril" } }).dialect).toBe("mithril");
    expect(loadConfig({}, { ...sandbox({ cwd: { ".flow/config.yaml": "fcp:\n  dialect: seed\n" } }), env: {} }).dialect).toBe("seed");
    expect(loadConfig({ dialect: "seed" }, { ...sandbox(), env: { FLOW_DIALECT: "mithril" } }).dialect).toBe("seed");
    expect(() => loadConfig({}, { ...sandbox(), env: { FCP_DIALECT: "v3" } })).toThrow(/dialect \(from FCP_DIALECT\) is "v3"/);
  });
});
