// What the dynamic-provider plugin sees: stack config in configure() (as the CLI sends it),
// the engine's env, its working directory (where require() inside provider methods starts
// resolving), and what it prints (captured in the result).
import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { sandbox } from "../../fixtures/testing/harness";
import { Configured, Key, PROVIDER_CWD, Probe, Thing } from "../../fixtures/testing/resources";

// Plugins start in a second or two each; a loaded machine needs more than Jest's default 5 s.
jest.setTimeout(120_000);

const API_KEY = "fcp-api-key-3f9a7c1e5b";
const REPO = path.resolve(__dirname, "../../..");

describe("LocalEngine plugin environment", () => {
  const s = sandbox({
    config: {
      "fixture:apiKey": { value: API_KEY, secret: true },
      greeting: "hello",
      "fixture:limits": { value: { gpus: 2 } },
    },
  });
  afterAll(() => s.engine.close());

  test("config reaches the program through pulumi.Config and the provider's configure(), as under the CLI", async () => {
    const result = await s.engine.up(async () => {
      const fixture = new pulumi.Config("fixture");
      const configured = new Configured("configured");
      return {
        keyLength: fixture.requireSecret("apiKey").apply((k) => k.length),
        greeting: new pulumi.Config().require("greeting"),
        gpus: fixture.requireObject<{ gpus: number }>("limits").gpus,
        apiKeySha256: configured.apiKeySha256,
        providerGreeting: configured.greeting,
      };
    });
    expect(result.outputs.keyLength).toEqual({ value: API_KEY.length, secret: true });
    expect(result.outputs.greeting).toEqual({ value: "hello", secret: false });
    expect(result.outputs.gpus).toEqual({ value: 2, secret: false });
    // configure() read "fixture:apiKey" in plaintext and the project key "greeting" by its bare name.
    expect(result.outputs.apiKeySha256.value).toBe(createHash("sha256").update(API_KEY).digest("hex"));
    expect(result.outputs.providerGreeting.value).toBe("hello");
  });

  test("require() in provider methods resolves from the plugin's working directory", async () => {
    const result = await s.engine.up(async () => {
      const probe = new Probe("probe");
      return { cwd: probe.cwd, relative: probe.relative, dependency: probe.dependency, self: probe.self };
    });
    expect(result.outputs.cwd.value).toBe(PROVIDER_CWD);
    expect(result.outputs.relative.value).toBe(path.join(PROVIDER_CWD, "fake-cloud.js"));
    // Bare names walk up node_modules from there; the package resolves itself through its exports.
    expect(result.outputs.dependency.value).toBe(require.resolve("yaml"));
    expect(result.outputs.self.value).toBe(path.join(REPO, "package.json"));
  });

  test("the plugins' stderr and stdout are captured in the result", async () => {
    const result = await s.engine.up(async () => {
      new Key("noisy", { password: "p" });
    });
    expect(result.pluginStderr).toContain("[dynamic-provider]\nkey provider: generated a private key");
    expect(result.pluginStdout).toContain("key provider: done");
  });
});

describe("LocalEngine plugin working directory", () => {
  const elsewhere = mkdtempSync(path.join(tmpdir(), "local-engine-cwd-"));
  const s = sandbox({ cwd: elsewhere });
  afterAll(() => s.engine.close());

  test("a relative require() that does not resolve from the working directory fails the create, naming the module", async () => {
    await expect(
      s.engine.up(async () => {
        new Thing("lost", { size: 1, zone: "z1" });
      }),
    ).rejects.toThrow(/create of .*::lost failed: Cannot find module '\.\/fake-cloud\.js'/);
  });
});
