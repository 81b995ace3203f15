import type { ResourceValidation } from "@pulumi/policy";
import { noSecretsInEnv } from "../../../policy-pack/guardrails";
import { SPOT_BID_TYPE, TASK_TYPE } from "../../../policy-pack/lib";
import { fakeToken } from "./fake-tokens";
import { ABSENT, expectCannotEvaluate, happyTask, resourceArgs, runResourcePolicy, UNKNOWN_VALUE, UnknownValueError } from "./harness";

const AWS_KEY_ID = "AKIA" + fakeToken("A-Z0-9", 16, 101);
const AWS_SECRET = fakeToken("A-Za-z0-9/+", 40, 102);
const HF = "hf_" + fakeToken("A-Za-z", 34, 103);

const withEnv = (extra: Record<string, unknown>) => ({ env: { ...(happyTask().env as object), ...extra } });
const run = (overrides: Record<string, unknown>, config: object = {}) =>
  runResourcePolicy(noSecretsInEnv, resourceArgs(TASK_TYPE, overrides, config));

describe("no-secrets-in-env", () => {
  it("passes a Task whose env holds settings and values that were secrets ([secret])", async () => {
    expect(await run({})).toEqual([]);
  });

  it("reports a plaintext credential with the Task, the variable and what it looks like, never the value", async () => {
    const messages = await run(withEnv({ AWS_ACCESS_KEY_ID: AWS_KEY_ID }));
    expect(messages).toEqual([
      'Task "train" sets env.AWS_ACCESS_KEY_ID to what looks like an AWS access key ID, in plaintext: it sits in the ' +
        'program, the stack state and every preview. Move it to secretEnv (secretEnv: { AWS_ACCESS_KEY_ID: config.requireSecret("...") }): ' +
        "the cluster bootstrap delivers it over SSH into a root-only file, so it is in no startup script and not on FCP. " +
        "Or list the name in allowNames in the policy config if it is not a credential.",
    ]);
  });

  it("reports every plaintext credential, each once, and quotes none of them", async () => {
    const messages = await run(withEnv({ AWS_ACCESS_KEY_ID: AWS_KEY_ID, AWS_SECRET_ACCESS_KEY: AWS_SECRET, HF_TOKEN: HF }));
    expect(messages).toHaveLength(3);
    expect(messages.map((m) => /env\.(\w+)/.exec(m)?.[1])).toEqual(["HF_TOKEN", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]);
    for (const secret of [AWS_KEY_ID, AWS_SECRET, HF, AWS_SECRET.slice(0, 8)]) {
      expect(messages.join("\n")).not.toContain(secret);
    }
  });

  it("passes a Task whose credentials are in secretEnv (the Task records only their names)", async () => {
    expect(await run({ secretEnv: { HF_TOKEN: "[secret]", AWS_SECRET_ACCESS_KEY: "[secret]" } })).toEqual([]);
  });

  it("skips names listed in allowNames", async () => {
    expect(await run(withEnv({ HF_TOKEN: HF }), { allowNames: ["HF_TOKEN"] })).toEqual([]);
  });

  it("flags only recognised token formats when checkGenericNames is off", async () => {
    const env = withEnv({ AWS_SECRET_ACCESS_KEY: AWS_SECRET, HF_TOKEN: HF });
    expect(await run(env, { checkGenericNames: true })).toHaveLength(2);
    const [message, ...rest] = await run(env, { checkGenericNames: false });
    expect(rest).toEqual([]);
    expect(message).toMatch(/env\.HF_TOKEN to what looks like a Hugging Face token/);
  });

  it.each([
    ["no env", { env: ABSENT }],
    ["an empty env", { env: {} }],
    ["non-string values", { env: { PORT: 8080, DEBUG: true, NESTED: { KEY: AWS_KEY_ID } } }],
  ])("passes a Task with %s", async (_, overrides) => {
    expect(await run(overrides)).toEqual([]);
  });

  it("cannot evaluate an env that is unknown as a whole", async () => {
    const message = await expectCannotEvaluate(() => run({ env: UNKNOWN_VALUE }));
    expect(message).toContain('env of Task "train" is not known');
  });

  it("reports the known credentials and then says which values it could not see", async () => {
    const messages: string[] = [];
    const validate = noSecretsInEnv.validateResource as ResourceValidation;
    const args = resourceArgs(TASK_TYPE, withEnv({ BUCKET: UNKNOWN_VALUE, GITHUB_TOKEN: "ghp_" + fakeToken("A-Za-z0-9", 36, 104) }));
    let thrown: unknown;
    try {
      await validate(args, (m) => messages.push(m));
    } catch (e) {
      thrown = e;
    }
    expect(messages).toEqual([expect.stringMatching(/env\.GITHUB_TOKEN to what looks like a GitHub token/)]);
    expect(thrown).toBeInstanceOf(UnknownValueError);
    expect((thrown as Error).message).toContain('env.BUCKET of Task "train" is not known during preview');
  });

  it("ignores spot bids", async () => {
    expect(await runResourcePolicy(noSecretsInEnv, resourceArgs(SPOT_BID_TYPE, { env: { K: AWS_KEY_ID } }))).toEqual([]);
  });

  it.each([[{ allowNames: "HF_TOKEN" }], [{ checkGenericNames: "no" }], [{ allow: [] }]])(
    "reports the invalid config %p as a violation",
    async (config) => {
      const [message] = await run({}, config);
      expect(message).toMatch(/^The fcp-guardrails config for policy "no-secrets-in-env" is invalid/);
    },
  );
});
