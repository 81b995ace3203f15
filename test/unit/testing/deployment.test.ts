// The engine's step logic driven by real programs (in-process Pulumi runtime) against a fake
// provider: what the program declares, what reaches the provider, what state results.
import * as pulumi from "@pulumi/pulumi";
import { resolveConfig } from "../../../src/testing/config";
import { Deployment } from "../../../src/testing/deployment";
import { ResourceOperationError } from "../../../src/testing/errors";
import { EngineMonitor } from "../../../src/testing/engine-monitor";
import { runProgram, type PulumiProgram } from "../../../src/testing/program-runner";
import type { CheckResult, DiffResult, ProviderClient, ResourceRef } from "../../../src/testing/provider-plugin";
import { isSecret, type PropertyMap } from "../../../src/testing/property-values";
import type { ResourceState } from "../../../src/testing/resource-state";
import { Thing } from "../../fixtures/testing/resources";

const urn = (name: string): string => `urn:pulumi:dev::proj::pulumi-nodejs:dynamic/fixture:Thing::${name}`;

class FakeProvider implements ProviderClient {
  readonly calls: string[] = [];
  readonly failCreate = new Set<string>();
  private serial = 0;

  async check(ref: ResourceRef, _olds: PropertyMap, news: PropertyMap): Promise<CheckResult> {
    this.calls.push(`check ${ref.name}`);
    return { inputs: news, failures: [] };
  }

  async diff(ref: ResourceRef, _id: string, _oldOutputs: PropertyMap, oldInputs: PropertyMap, news: PropertyMap): Promise<DiffResult> {
    this.calls.push(`diff ${ref.name}`);
    const changed = ["size", "zone"].filter((k) => oldInputs[k] !== news[k]);
    return { changes: changed.length > 0 ? "some" : "none", replaces: changed.includes("zone") ? ["zone"] : [], deleteBeforeReplace: false, diffs: [] };
  }

  async create(ref: ResourceRef, properties: PropertyMap): Promise<{ id: string; properties: PropertyMap }> {
    this.calls.push(`create ${ref.name}`);
    if (this.failCreate.has(ref.name)) {
      throw new ResourceOperationError(ref.urn, "create", "refused");
    }
    this.serial += 1;
    return { id: `${ref.name}-${this.serial}`, properties: { ...properties, serial: this.serial, token: `t${this.serial}` } };
  }

  async read(): Promise<{ id: string; properties: PropertyMap }> {
    throw new Error("not used");
  }

  async update(ref: ResourceRef, _id: string, _olds: PropertyMap, news: PropertyMap): Promise<{ properties: PropertyMap }> {
    this.calls.push(`update ${ref.name}`);
    return { properties: news };
  }

  async delete(ref: ResourceRef, id: string): Promise<void> {
    this.calls.push(`delete ${ref.name} ${id}`);
  }
}

async function deploy(program: PulumiProgram, resources: ResourceState[] = [], options: { dryRun?: boolean; parallel?: number } = {}) {
  const provider = new FakeProvider();
  const saves: ResourceState[][] = [];
  const deployment = new Deployment({
    dryRun: options.dryRun ?? false,
    project: "proj",
    stack: "dev",
    parallel: options.parallel ?? 4,
    resources,
    provider: async () => provider,
    analyzers: async () => [],
    persist: async (r) => {
      saves.push([...r]);
    },
  });
  const run = await runProgram(program, {
    monitor: new EngineMonitor(deployment),
    project: "proj",
    stack: "dev",
    organization: "org",
    dryRun: options.dryRun ?? false,
    config: resolveConfig("proj", { "fcp:token": { value: "s3cret", secret: true }, region: "eu" }),
  });
  for (const err of run.errors) {
    deployment.stop(err);
  }
  await deployment.finish();
  return { deployment, provider, saves, run, state: [...deployment.resources] };
}

const find = (state: readonly ResourceState[], name: string): ResourceState | undefined => state.find((r) => r.name === name);

describe("Deployment", () => {
  test("records every resource option the program sets, and the dependencies", async () => {
    const { state, deployment } = await deploy(async () => {
      const a = new Thing("a", { size: 1, zone: "z" });
      const parent = new pulumi.ComponentResource("fixture:index:Box", "box", {});
      new Thing(
        "b",
        { size: 2, zone: "z", upstream: a.serial },
        {
          parent,
          protect: true,
          retainOnDelete: true,
          deleteBeforeReplace: true,
          ignoreChanges: ["size"],
          replaceOnChanges: ["zone"],
          additionalSecretOutputs: ["token"],
          dependsOn: [a],
        },
      );
    });
    expect(deployment.errors).toEqual([]);
    const b = state.find((r) => r.name === "b");
    expect(b).toMatchObject({
      urn: "urn:pulumi:dev::proj::fixture:index:Box$pulumi-nodejs:dynamic/fixture:Thing::b",
      parent: "urn:pulumi:dev::proj::fixture:index:Box::box",
      protect: true,
      retainOnDelete: true,
      deleteBeforeReplace: true,
      ignoreChanges: ["size"],
      replaceOnChanges: ["zone"],
      additionalSecretOutputs: ["token"],
      propertyDependencies: { upstream: [urn("a")] },
    });
    expect(b?.dependencies).toContain(urn("a"));
    expect(isSecret(b?.outputs.token)).toBe(true);
    expect(b?.outputs.upstream).toBe(find(state, "a")?.outputs.serial);
  });

  test("config reaches the program, secret config as a secret Output", async () => {
    const { deployment, state } = await deploy(async () => ({
      token: new pulumi.Config("fcp").requireSecret("token"),
      region: new pulumi.Config().require("region"),
    }));
    expect(deployment.errors).toEqual([]);
    const stack = state.find((r) => r.type === "pulumi:pulumi:Stack");
    expect(isSecret(stack?.outputs.token)).toBe(true);
    expect(stack?.outputs.region).toBe("eu");
  });

  test("secret inputs keep their secretness in state and in same-named outputs", async () => {
    const { state } = await deploy(async () => {
      new Thing("s", { size: 1, zone: pulumi.secret("hidden") });
    });
    const s = find(state, "s");
    expect(isSecret(s?.inputs.zone)).toBe(true);
    expect(isSecret(s?.outputs.zone)).toBe(true);
    expect(isSecret(s?.outputs.size)).toBe(false);
  });

  test("state is saved after every step", async () => {
    const { saves } = await deploy(async () => {
      new Thing("a", { size: 1 });
      new Thing("b", { size: 1 });
    });
    // Stack registration, its outputs, and one save per Thing at least.
    expect(saves.length).toBeGreaterThanOrEqual(3);
    expect(saves[saves.length - 1].map((r) => r.name).sort()).toEqual(["a", "b", "proj-dev"]);
  });

  test("a dry run calls only Check and Diff", async () => {
    const first = await deploy(async () => {
      new Thing("a", { size: 1, zone: "z" });
    });
    const { provider, deployment } = await deploy(
      async () => {
        new Thing("a", { size: 2, zone: "z" });
        new Thing("new", { size: 1 });
      },
      first.state,
      { dryRun: true },
    );
    expect(provider.calls.sort()).toEqual(["check a", "check new", "diff a"]);
    expect(deployment.ops.map((o) => `${o.op} ${o.name} ${o.status}`)).toEqual(
      expect.arrayContaining(["update a planned", "create new planned"]),
    );
  });

  test("old copies left pending by a failed run are deleted by the next successful one", async () => {
    const first = await deploy(async () => {
      new Thing("a", { size: 1, zone: "z" });
    });
    const a = find(first.state, "a") as ResourceState;
    const leftover: ResourceState = { ...a, id: "a-old", pendingDelete: true };
    const { provider, state, deployment } = await deploy(async () => {
      new Thing("a", { size: 1, zone: "z" });
    }, [...first.state, leftover]);
    expect(provider.calls).toContain("delete a a-old");
    expect(state.filter((r) => r.urn === urn("a"))).toHaveLength(1);
    expect(deployment.ops.find((o) => o.op === "delete")).toMatchObject({ urn: urn("a"), status: "done" });
  });

  test("a protected resource cannot be replaced", async () => {
    const first = await deploy(async () => {
      new Thing("p", { size: 1, zone: "z1" }, { protect: true });
    });
    const { deployment, provider } = await deploy(async () => {
      new Thing("p", { size: 1, zone: "z2" }, { protect: true });
    }, first.state);
    expect(deployment.errors[0]?.message).toMatch(new RegExp(`^replace of ${urn("p").replace(/[$]/g, "\\$")} failed: the resource is protected`));
    expect(provider.calls.filter((c) => c.startsWith("create") || c.startsWith("delete"))).toEqual([]);
  });

  test("resources that are not dynamic are refused, naming their type", async () => {
    const { deployment } = await deploy(async () => {
      class Bucket extends pulumi.CustomResource {
        constructor(name: string) {
          super("aws:s3/bucket:Bucket", name, {});
        }
      }
      new Bucket("bucket");
    });
    expect(deployment.errors[0]?.message).toMatch(/create of urn:pulumi:dev::proj::aws:s3\/bucket:Bucket::bucket failed: LocalEngine runs dynamic resources .* "aws:s3\/bucket:Bucket" needs its own provider plugin/);
  });

  test("a URN declared twice is an error", async () => {
    const { deployment } = await deploy(async () => {
      new Thing("twin", { size: 1 });
      new Thing("twin", { size: 2 });
    });
    expect(deployment.errors[0]?.message).toMatch(/::twin failed: the program declares this URN twice/);
  });

  test("after the first failure, steps still waiting for a slot are skipped", async () => {
    const provider = new FakeProvider();
    provider.failCreate.add("first");
    const deployment = new Deployment({
      dryRun: false,
      project: "proj",
      stack: "dev",
      parallel: 1,
      resources: [],
      provider: async () => provider,
      analyzers: async () => [],
      persist: async () => undefined,
    });
    await runProgram(
      async () => {
        new Thing("first", { size: 1 });
        new Thing("second", { size: 1 });
      },
      { monitor: new EngineMonitor(deployment), project: "proj", stack: "dev", organization: "org", dryRun: false, config: { values: {}, secretKeys: [] } },
    );
    expect(deployment.ops.find((o) => o.name === "second")?.status).toBe("skipped");
    expect(provider.calls.filter((c) => c.startsWith("create"))).toEqual(["create first"]);
  });

  test("program logs are captured; an error log fails the run", async () => {
    const { run } = await deploy(async () => {
      pulumi.log.info("hello from the program");
      pulumi.log.error("something is wrong");
    });
    expect(run.diagnostics).toEqual(
      expect.arrayContaining([
        { severity: "info", message: "hello from the program" },
        { severity: "error", message: "something is wrong" },
      ]),
    );
    expect(run.errors[0]?.message).toMatch(/the program logged 1 error\(s\): something is wrong/);
  });
});
