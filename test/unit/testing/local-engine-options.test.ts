import { LocalEngine, LocalEngineError } from "../../../src/testing";

const base = { project: "p", stack: "s", stateFile: "/tmp/never-written.json", secretsPassphrase: "x" };

describe("LocalEngine options", () => {
  const saved = process.env.PULUMI_CONFIG_PASSPHRASE;
  afterEach(() => {
    if (saved === undefined) {
      delete process.env.PULUMI_CONFIG_PASSPHRASE;
    } else {
      process.env.PULUMI_CONFIG_PASSPHRASE = saved;
    }
  });

  test("a passphrase is required, from the option or PULUMI_CONFIG_PASSPHRASE", () => {
    delete process.env.PULUMI_CONFIG_PASSPHRASE;
    expect(() => new LocalEngine({ ...base, secretsPassphrase: undefined })).toThrow(/pass secretsPassphrase or set PULUMI_CONFIG_PASSPHRASE/);
    process.env.PULUMI_CONFIG_PASSPHRASE = "from-env";
    expect(() => new LocalEngine({ ...base, secretsPassphrase: undefined })).not.toThrow();
  });

  test.each([
    [{ project: "my project" }, /option project: use letters, digits/],
    [{ parallel: 0 }, /option parallel/],
    [{ config: { k: { value: undefined } } }, /option config\.k/],
    [{ policyPacks: ["./a"], policyPackConfig: { "./b": {} } }, /policyPackConfig has an entry for "\.\/b", which is not in policyPacks \(\.\/a\)/],
  ])("rejects %p with the option's name", (over, message) => {
    expect(() => new LocalEngine({ ...base, ...(over as object) })).toThrow(LocalEngineError);
    expect(() => new LocalEngine({ ...base, ...(over as object) })).toThrow(message);
  });

  test("a closed engine says so", async () => {
    const engine = new LocalEngine(base);
    await engine.close();
    await expect(engine.preview(async () => undefined)).rejects.toThrow(/this LocalEngine is closed/);
  });
});
