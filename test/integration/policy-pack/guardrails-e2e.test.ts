// fcp-guardrails end to end: Task programs run through LocalEngine, whose analyzer is the real
// `run-policy-pack` process serving this repository's pack, against a fresh emulator. Checks what a
// platform team relies on: a mandatory violation stops `up` before FCP sees a single write, a
// "PR" preview reports the total that broke the budget, advisories never block, and the pack
// config changes verdicts.
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { Task, type TaskArgs } from "../../../src/resources/task";
import { Volume } from "../../../src/resources/volume";
import { type PolicyPackConfig, type PulumiProgram } from "../../../src/testing";
import { fcpStack, liveBids, REPO_ROOT, requestCount, type FcpStack } from "../../fixtures/resources/fcp-stack";
import { expectDeploymentFailure as failure } from "../../fixtures/expect-failure";

// The analyzer compiles the pack with ts-node (~10 s cold), the plugin starts, bids provision.
jest.setTimeout(180_000);

const PACK = path.join(REPO_ROOT, "policy-pack");
const PACK_NAME = "fcp-guardrails";
const taskUrn = (name: string): string => `urn:pulumi:test::fcp-test::fcp:index:Task::${name}`;
const bidUrn = (task: string): string => `urn:pulumi:test::fcp-test::fcp:index:Task$pulumi-nodejs:dynamic/fcp:SpotBid::${task}-bid`;
// A Hugging Face token's shape; the pack must never echo it back.
const HF_TOKEN = "hf_Zq8vKp3TxW7mYb2LcN9dRf4GhJ6sUa1EoQ";

function guardedStack(config?: PolicyPackConfig): Promise<FcpStack> {
  return fcpStack({ engine: { policyPacks: [PACK], ...(config ? { policyPackConfig: { [PACK]: config } } : {}) } });
}

/** Tasks by name; each a single a100 at $5.00 that sleeps, with a run-time cap, no code upload and no cluster bootstrap. */
function tasks(specs: Record<string, Partial<TaskArgs>>): PulumiProgram {
  return async () => {
    const out: Record<string, pulumi.Output<string>> = {};
    for (const [name, args] of Object.entries(specs)) {
      const task = new Task(name, {
        name,
        instanceType: "a100",
        numInstances: 1,
        maxPricePerHour: 5,
        maxRunTimeHours: 12,
        uploadCode: false,
        command: ["sleep", "infinity"],
        // These stacks are about money: their clusters (up to 24 nodes) outnumber what the emulator
        // boots at once, so nothing would answer the cluster bootstrap's SSH.
        clusterBootstrap: false,
        ...args,
      });
      out[`${name}Cost`] = task.hourlyCost;
      out[`${name}BidId`] = task.bidId;
    }
    return out;
  };
}


/** hourly-spend-change reports on every preview (test/unit/policy-pack covers it); these tests are about the checks. */
const checkOnly = (v: { policyName: string }): boolean => v.policyName !== "hourly-spend-change";

/** Every request other than a GET the emulator answered since the last clearRequests. */
function writes(s: FcpStack): Record<string, number> {
  const counts = s.emulator.admin.requests().counts;
  return Object.fromEntries(Object.entries(counts).filter(([key]) => !key.startsWith("GET ")));
}

// Programs the config-driven describe below rejects; the defaults (max $50 per instance-hour,
// budget $100 per hour, credentials mandatory) let them through.
const A100_AT_4_50 = tasks({ train: { maxPricePerHour: 4.5 } });
const TWO_TASKS_AT_21 = tasks({ small: { numInstances: 3, maxPricePerHour: 3 }, large: { numInstances: 4, maxPricePerHour: 3 } });
const PLAINTEXT_TOKEN = tasks({ train: { maxPricePerHour: 3, env: { HF_TOKEN } } });

describe("fcp-guardrails at its default levels, through LocalEngine against the emulator", () => {
  let s: FcpStack;
  beforeAll(async () => {
    s = await guardedStack();
  });
  afterAll(async () => {
    await s?.close();
  });

  test("a stack over budget is stopped before any bid is created, with the total and the largest bids", async () => {
    s.emulator.admin.clearRequests();
    // 4 × $20 + 2 × $15 = $110 per hour, over the default $100; each price alone is under $50.
    const err = await failure(s.engine.up(tasks({ pretrain: { numInstances: 4, maxPricePerHour: 20 }, evals: { numInstances: 2, maxPricePerHour: 15 } })));
    expect(err.message).toMatch(/^up stopped before making any change/);
    const budget = err.result.policyViolations.filter((v) => v.policyName === "max-stack-hourly-spend");
    expect(budget).toEqual([
      expect.objectContaining({ packName: PACK_NAME, enforcementLevel: "mandatory", message: expect.stringMatching(/up to \$110\.00 per hour/) }),
    ]);
    expect(budget[0].message).toMatch(/over 2 bids\), above the budget of \$100\.00 per hour/);
    expect(budget[0].message).toMatch(/Largest: SpotBid "pretrain-bid" \$80\.00 \(4 × \$20\.00\) and SpotBid "evals-bid" \$30\.00 \(2 × \$15\.00\)/);
    // Nothing else was wrong: the budget alone stopped it.
    expect(err.result.policyViolations.filter((v) => v.enforcementLevel === "mandatory")).toHaveLength(1);
    expect(writes(s)).toEqual({});
    expect(await s.client.listBids()).toEqual([]);
    expect(await s.client.listSshKeys()).toEqual([]);
    expect(await s.engine.resources()).toEqual([]);
  });

  test("a limit price over max-price-per-hour stops up before any POST, naming the bid, its price and the limit", async () => {
    s.emulator.admin.clearRequests();
    const err = await failure(s.engine.up(tasks({ train: { maxPricePerHour: 60 } })));
    expect(err.message).toMatch(/^up stopped before making any change/);
    expect(err.message).toContain(`${PACK_NAME}/max-price-per-hour on ${bidUrn("train")}`);
    const [price] = err.result.policyViolations.filter((v) => v.policyName === "max-price-per-hour");
    expect(price).toMatchObject({ enforcementLevel: "mandatory", urn: bidUrn("train") });
    expect(price.message).toMatch(/SpotBid "train-bid"/);
    expect(price.message).toContain("$60.00");
    expect(price.message).toContain("$50.00");
    const posts = Object.keys(s.emulator.admin.requests().counts).filter((k) => k.startsWith("POST "));
    expect(posts).toEqual([]);
    expect(writes(s)).toEqual({});
    expect(await s.client.listBids()).toEqual([]);
  });

  test("a plaintext credential in a Task's env is mandatory, and the message never repeats it", async () => {
    const preview = await failure(s.engine.preview(PLAINTEXT_TOKEN));
    expect(preview.message).toMatch(/^preview failed/);
    s.emulator.admin.clearRequests();
    const err = await failure(s.engine.up(PLAINTEXT_TOKEN));
    expect(err.message).toMatch(/^up stopped before making any change/);
    const found = err.result.policyViolations.filter((v) => v.policyName === "no-secrets-in-env");
    expect(found).toEqual([
      expect.objectContaining({ enforcementLevel: "mandatory", urn: taskUrn("train"), message: expect.stringMatching(/env\.HF_TOKEN .*a Hugging Face token, in plaintext/) }),
    ]);
    expect(err.message).not.toContain(HF_TOKEN);
    expect(JSON.stringify(err.result.policyViolations)).not.toContain(HF_TOKEN);
    expect(writes(s)).toEqual({});
  });

  test("the same token passed as pulumi.secret(...) is not flagged", async () => {
    const result = await s.engine.preview(tasks({ train: { env: { HF_TOKEN: pulumi.secret(HF_TOKEN) } } }));
    expect(result.policyViolations.filter((v) => v.policyName === "no-secrets-in-env")).toEqual([]);
    expect(result.policyViolations.filter((v) => v.enforcementLevel === "mandatory")).toEqual([]);
    expect(result.ops.find((o) => o.urn === bidUrn("train"))).toMatchObject({ op: "create", status: "planned" });
  });

  test("the programs the configured pack rejects below pass at the default levels", async () => {
    for (const program of [A100_AT_4_50, TWO_TASKS_AT_21]) {
      const result = await s.engine.preview(program);
      expect(result.policyViolations.filter(checkOnly)).toEqual([]);
    }
  });

  test("a value not known until apply is an advisory 'cannot evaluate until apply' and does not fail the preview", async () => {
    const result = await s.engine.preview(async () => {
      const data = new Volume("data", { sizeGb: 10, interface: "file" });
      await tasks({ train: { env: { DATA_VOLUME: data.volumeId } } })();
    });
    const found = result.policyViolations.filter((v) => v.policyName === "no-secrets-in-env");
    expect(found).toEqual([
      expect.objectContaining({
        enforcementLevel: "advisory",
        urn: taskUrn("train"),
        message: expect.stringMatching(/cannot evaluate until apply: env\.DATA_VOLUME of Task "train" is not known during preview/),
      }),
    ]);
  });

  test("advisory violations are reported and do not block up", async () => {
    s.emulator.admin.clearRequests();
    // 10 instances (advisory cap 8) and no maxRunTimeHours (advisory): 10 × $5 = $50, in budget.
    const result = await s.engine.up(tasks({ train: { numInstances: 10, maxRunTimeHours: undefined } }));
    expect(result.policyViolations.filter(checkOnly).map((v) => [v.policyName, v.enforcementLevel, v.urn])).toEqual(
      expect.arrayContaining([
        ["max-instances-per-bid", "advisory", bidUrn("train")],
        ["require-max-run-time", "advisory", taskUrn("train")],
      ]),
    );
    expect(result.policyViolations.every((v) => v.enforcementLevel === "advisory")).toBe(true);
    expect(result.outputs.trainCost.value).toBe("$50.00");
    expect(requestCount(s.emulator, "POST /v2/spot/bids")).toBe(1);
    const live = await liveBids(s.client);
    expect(live).toEqual([expect.objectContaining({ fid: result.outputs.trainBidId.value, instanceQuantity: 10, limitPrice: "$5.00", status: "running" })]);
  });

  test('raising numInstances past the budget in a "PR" preview is reported with the total, and nothing changes', async () => {
    const [before] = await liveBids(s.client);
    s.emulator.admin.clearRequests();
    // The PR: 10 → 24 instances at $5.00 is $120.00 per hour. The bid being replaced must not count twice.
    const err = await failure(s.engine.preview(tasks({ train: { numInstances: 24, maxRunTimeHours: undefined } })));
    expect(err.message).toMatch(/^preview failed/);
    const [budget] = err.result.policyViolations.filter((v) => v.policyName === "max-stack-hourly-spend");
    expect(budget.enforcementLevel).toBe("mandatory");
    expect(budget.message).toMatch(/up to \$120\.00 per hour \(limit price × instance quantity over 1 bid\), above the budget of \$100\.00/);
    expect(budget.message).toContain('SpotBid "train-bid" $120.00 (24 × $5.00)');
    expect(err.result.ops.find((o) => o.urn === bidUrn("train"))).toMatchObject({
      op: "replace",
      status: "planned",
      replaceKeys: expect.arrayContaining(["instanceQuantity"]),
    });

    // A raise that stays in budget (16 × $5.00 = $80.00) previews cleanly as the same replace.
    const within = await s.engine.preview(tasks({ train: { numInstances: 16, maxRunTimeHours: undefined } }));
    expect(within.policyViolations.filter((v) => v.enforcementLevel === "mandatory")).toEqual([]);
    expect(within.ops.find((o) => o.urn === bidUrn("train"))).toMatchObject({ op: "replace" });

    expect(writes(s)).toEqual({});
    expect(await liveBids(s.client)).toEqual([expect.objectContaining({ fid: before.fid, instanceQuantity: 10 })]);
  });

  test("up with the token as a secret passes the pack and keeps the token out of the state file", async () => {
    const result = await s.engine.up(tasks({ train: { numInstances: 10, env: { HF_TOKEN: pulumi.secret(HF_TOKEN) } } }));
    expect(result.policyViolations.filter(checkOnly)).toEqual([expect.objectContaining({ policyName: "max-instances-per-bid", enforcementLevel: "advisory" })]);
    expect(await liveBids(s.client)).toEqual([expect.objectContaining({ fid: result.outputs.trainBidId.value, instanceQuantity: 10 })]);
    expect(s.stateText()).not.toContain(HF_TOKEN);
  });
});

describe("fcp-guardrails with policyPackConfig", () => {
  let s: FcpStack;
  beforeAll(async () => {
    s = await guardedStack({
      "max-price-per-hour": { maxPricePerGpuHour: { a100: 4 } },
      "max-stack-hourly-spend": { maxSpendPerHour: "$20.00", largestContributors: 1 },
      "no-secrets-in-env": "advisory",
    });
  });
  afterAll(async () => {
    await s?.close();
  });

  test("a per-GPU price limit rejects a bid the default limit allows", async () => {
    s.emulator.admin.clearRequests();
    const err = await failure(s.engine.up(A100_AT_4_50));
    expect(err.message).toMatch(/^up stopped before making any change/);
    const [price] = err.result.policyViolations.filter((v) => v.policyName === "max-price-per-hour");
    expect(price).toMatchObject({ enforcementLevel: "mandatory", urn: bidUrn("train") });
    expect(price.message).toContain("$4.50");
    expect(price.message).toContain("$4.00");
    expect(writes(s)).toEqual({});
  });

  test("a lower budget rejects a stack the default budget allows, naming only the largest contributor", async () => {
    const err = await failure(s.engine.preview(TWO_TASKS_AT_21));
    const [budget] = err.result.policyViolations.filter((v) => v.policyName === "max-stack-hourly-spend");
    expect(budget.message).toMatch(/up to \$21\.00 per hour .*above the budget of \$20\.00 per hour/);
    expect(budget.message).toContain('Largest: SpotBid "large-bid" $12.00 (4 × $3.00).');
    expect(budget.message).not.toContain("small-bid");
  });

  test("a plaintext credential lowered to advisory is reported but the bid is created", async () => {
    s.emulator.admin.clearRequests();
    const result = await s.engine.up(PLAINTEXT_TOKEN);
    expect(result.policyViolations.filter(checkOnly)).toEqual([
      expect.objectContaining({ policyName: "no-secrets-in-env", enforcementLevel: "advisory", urn: taskUrn("train") }),
    ]);
    expect(requestCount(s.emulator, "POST /v2/spot/bids")).toBe(1);
    expect(await liveBids(s.client)).toEqual([expect.objectContaining({ fid: result.outputs.trainBidId.value })]);
  });
});
