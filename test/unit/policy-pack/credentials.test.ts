import { entropyPerChar, findCredential } from "../../../policy-pack/lib";
import { fakeToken } from "./fake-tokens";

describe("findCredential", () => {
  describe.each([
    ["AWS_ACCESS_KEY_ID", "AKIA" + fakeToken("A-Z0-9", 16, 1), "an AWS access key ID"],
    ["AWS_SESSION_KEY", "ASIA" + fakeToken("A-Z0-9", 16, 2), "an AWS access key ID"],
    ["GH", "ghp_" + fakeToken("A-Za-z0-9", 36, 3), "a GitHub token"],
    ["GITHUB", "github_pat_" + fakeToken("A-Za-z0-9_", 60, 4), "a GitHub token"],
    ["GL", "glpat-" + fakeToken("A-Za-z0-9", 20, 5), "a GitLab token"],
    ["SLACK", "xoxb-" + fakeToken("0-9", 12, 6) + "-" + fakeToken("A-Za-z0-9", 24, 7), "a Slack token"],
    ["KEY_PEM", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----", "a private key"],
    ["RSA", "-----BEGIN RSA PRIVATE KEY-----\nMIIE", "a private key"],
    ["PK8", "-----BEGIN PRIVATE KEY-----\nMIIE", "a private key"],
    ["HUGGINGFACE", "hf_" + fakeToken("A-Za-z", 34, 8), "a Hugging Face token"],
    ["OPENAI", "sk-proj-" + fakeToken("A-Za-z0-9_-", 48, 9), "an OpenAI or Anthropic API key"],
    ["LLM", "sk-ant-api03-" + fakeToken("A-Za-z0-9_-", 40, 10), "an OpenAI or Anthropic API key"],
    ["GOOGLE", "AIza" + fakeToken("A-Za-z0-9_-", 35, 11), "a Google API key"],
    ["STRIPE", "sk_live_" + fakeToken("A-Za-z0-9", 24, 12), "a Stripe secret key"],
    ["DATABASE_URL", "postgres://trainer:" + fakeToken("A-Za-z0-9", 12, 13) + "@db.internal:5432/runs", "a URL with an embedded password"],
    ["WANDB_API_KEY", fakeToken("0-9a-f", 40, 14), "a Weights & Biases API key"],
    ["DB_PASSWORD", "correct horse battery", "a password"],
    ["SMTP_PASSWD", "hunter22", "a password"],
    ["AWS_SECRET_ACCESS_KEY", fakeToken("A-Za-z0-9/+", 40, 15), "a secret (a random-looking value under a secret-like name)"],
    ["HF_TOKEN", fakeToken("A-Za-z0-9", 32, 16), "a secret (a random-looking value under a secret-like name)"],
    ["SERVICE_SECRET", fakeToken("A-Za-z0-9", 24, 17), "a secret (a random-looking value under a secret-like name)"],
    ["GCP_CREDENTIALS", fakeToken("A-Za-z0-9", 24, 18), "a secret (a random-looking value under a secret-like name)"],
    ["HEROKU_API_KEY", "6f1c2d0e-6a7b-4c8d-9e0f-1a2b3c4d5e6f", "a secret (a random-looking value under a secret-like name)"],
    ["MLFLOW_TOKEN", `Bearer.${fakeToken("A-Za-z0-9", 20, 19)}`, "a secret (a random-looking value under a secret-like name)"],
  ])("%s", (name, value, kind) => {
    it(`is recognised as ${kind}`, () => {
      expect(findCredential(name, value, true)).toBe(kind);
    });
  });

  it("finds token formats inside longer values, under any name", () => {
    const value = `--token=ghp_${fakeToken("A-Za-z0-9", 36, 20)} --verbose`;
    expect(findCredential("EXTRA_ARGS", value, false)).toBe("a GitHub token");
  });

  describe.each([
    ["WANDB_PROJECT", "llama-finetune"],
    ["NCCL_DEBUG", "INFO"],
    ["TOKENIZERS_PARALLELISM", "false"],
    ["HF_HOME", "/workspace/.cache/huggingface"],
    ["CACHE_KEY", "v2"],
    ["S3_KEY", "runs/2024-05-01/checkpoint-1200.pt"],
    ["DATA_KEY", "s3://datasets/imagenet/train"],
    ["MODEL_KEY", "meta-llama/Llama-3.1-8B-Instruct"],
    ["HF_TOKEN", "${HF_TOKEN}"],
    ["API_TOKEN", "$API_TOKEN"],
    ["SSH_KEY", "$(cat /run/secrets/ssh_key)"],
    ["PASSWORD", "short"],
    ["RUN_ID", fakeToken("A-Za-z0-9", 32, 21)],
    ["DATABASE_URL", "postgres://db.internal:5432/runs"],
    ["TASK", "task-" + fakeToken("a-z0-9", 30, 22)],
    ["WANDB_RUN", fakeToken("0-9a-f", 40, 23)],
    ["DATASET_KEY", "imagenet-1k.train.shard-00017-of-01024"],
  ])("%s=%s", (name, value) => {
    it("is not a credential", () => {
      expect(findCredential(name, value, true)).toBeUndefined();
    });
  });

  it("applies the name-based rule only when generic checks are on", () => {
    const value = fakeToken("A-Za-z0-9", 32, 24);
    expect(findCredential("API_TOKEN", value, true)).toBeDefined();
    expect(findCredential("API_TOKEN", value, false)).toBeUndefined();
    expect(findCredential("DB_PASSWORD", "correct horse battery", false)).toBeUndefined();
  });
});

describe("entropyPerChar", () => {
  it.each([
    ["aaaa", 0],
    ["abab", 1],
    ["abcd", 2],
  ])("of %p is %p bits", (value, bits) => {
    expect(entropyPerChar(value)).toBeCloseTo(bits, 10);
  });
});
