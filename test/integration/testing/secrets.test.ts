// Secrets: secret config, secret inputs and additionalSecretOutputs are encrypted in the state
// file (AES-256-GCM, key from the passphrase); their plaintext bytes never appear in it.
import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { LocalEngine, SecretsError, StateFileError, isSecret } from "../../../src/testing";
import { sandbox } from "../../fixtures/testing/harness";
import { Key } from "../../fixtures/testing/resources";

// Plugins start in a second or two each; a loaded machine needs more than Jest's default 5 s.
jest.setTimeout(120_000);

const SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const API_KEY = "fcp-api-key-3f9a7c1e5b";
const PASSWORD = "hunter2-but-longer-than-that";

describe("LocalEngine secrets", () => {
  const s = sandbox({ config: { "fixture:apiKey": { value: API_KEY, secret: true } } });
  afterAll(() => s.engine.close());
  let privateKey = "";

  test("secret inputs, secret config and additionalSecretOutputs never reach the state file in plaintext", async () => {
    const result = await s.engine.up(async () => {
      const key = new Key("key", { password: pulumi.secret(PASSWORD) });
      const holder = new Key("holder", { password: new pulumi.Config("fixture").requireSecret("apiKey") });
      return { privateKey: key.privateKey, password: key.password, holderLength: holder.passwordLength };
    });
    privateKey = result.outputs.privateKey.value as string;
    expect(privateKey).toMatch(/^[0-9a-f]{48}$/);
    expect(result.outputs.privateKey.secret).toBe(true);
    expect(result.outputs.password).toEqual({ value: PASSWORD, secret: true });
    // An output of another name is not secret unless the provider or the program says so.
    expect(result.outputs.holderLength).toEqual({ value: API_KEY.length, secret: false });

    const bytes = readFileSync(s.stateFile);
    for (const plaintext of [PASSWORD, API_KEY, privateKey]) {
      expect(bytes.includes(Buffer.from(plaintext))).toBe(false);
    }
    const file = JSON.parse(bytes.toString("utf8")) as { resources: { name: string; inputs: Record<string, unknown>; outputs: Record<string, unknown> }[] };
    const key = file.resources.find((r) => r.name === "key");
    const ciphertext = { [SIG]: SECRET_SIG, ciphertext: expect.stringMatching(/^v1:[A-Za-z0-9+/=]+$/) };
    expect(key?.inputs.password).toEqual(ciphertext);
    expect(key?.outputs.password).toEqual(ciphertext);
    expect(key?.outputs.privateKey).toEqual(ciphertext);
    expect(file.resources.find((r) => r.name === "holder")?.inputs.password).toEqual(ciphertext);
  });

  test("the engine decrypts its state with the passphrase", async () => {
    const key = (await s.engine.resources()).find((r) => r.name === "key");
    expect(isSecret(key?.outputs.privateKey)).toBe(true);
    expect(key?.outputs.privateKey).toEqual({ [SIG]: SECRET_SIG, value: privateKey });
  });

  test("a different passphrase is refused with a clear error", async () => {
    const other = new LocalEngine({ project: "fixture", stack: "test", stateFile: s.stateFile, secretsPassphrase: "wrong" });
    try {
      await expect(other.resources()).rejects.toThrow(SecretsError);
      await expect(other.resources()).rejects.toThrow(/passphrase does not match/);
    } finally {
      await other.close();
    }
  });

  test("a state file of another stack is refused", async () => {
    const other = new LocalEngine({ project: "fixture", stack: "prod", stateFile: s.stateFile, secretsPassphrase: "x" });
    try {
      await expect(other.resources()).rejects.toThrow(StateFileError);
      await expect(other.resources()).rejects.toThrow(/belongs to stack "fixture\/test", not "fixture\/prod"/);
    } finally {
      await other.close();
    }
  });
});
