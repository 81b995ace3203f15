import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { PolicyConfigSchema } from "@pulumi/policy";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import {
  allowedInstanceTypesConfig,
  allowedRegionsConfig,
  hourlySpendChangeConfig,
  maxInstancesPerBidConfig,
  maxPricePerHourConfig,
  maxStackHourlySpendConfig,
  noSecretsInEnvConfig,
  POLICY_PACK_NAME,
  policies,
  requireMaxRunTimeConfig,
  startupScriptSizeConfig,
} from "../../../policy-pack/guardrails";

const root = join(__dirname, "../../..");
const packDir = join(root, "policy-pack");

const CONFIGS: Record<string, z.ZodType> = {
  "max-price-per-hour": maxPricePerHourConfig,
  "max-stack-hourly-spend": maxStackHourlySpendConfig,
  "allowed-instance-types": allowedInstanceTypesConfig,
  "allowed-regions": allowedRegionsConfig,
  "max-instances-per-bid": maxInstancesPerBidConfig,
  "require-max-run-time": requireMaxRunTimeConfig,
  "startup-script-size": startupScriptSizeConfig,
  "no-secrets-in-env": noSecretsInEnvConfig,
  "hourly-spend-change": hourlySpendChangeConfig,
};

const ENFORCEMENT: Record<string, string> = {
  "max-price-per-hour": "mandatory",
  "max-stack-hourly-spend": "mandatory",
  "allowed-instance-types": "advisory",
  "allowed-regions": "advisory",
  "max-instances-per-bid": "advisory",
  "require-max-run-time": "advisory",
  "startup-script-size": "mandatory",
  "no-secrets-in-env": "mandatory",
  "hourly-spend-change": "advisory",
};

describe("the fcp-guardrails pack", () => {
  it("has the policies the issue names, each once, in kebab-case", () => {
    const names = policies.map((p) => p.name);
    expect([...names].sort()).toEqual(Object.keys(CONFIGS).sort());
    for (const name of names) expect(name).toMatch(/^[a-z]+(-[a-z]+)*$/);
  });

  describe.each(policies.map((p) => [p.name, p] as const))("%s", (name, policy) => {
    it('has a description starting "Checks whether"', () => {
      expect(policy.description).toMatch(/^Checks whether /);
    });

    it(`is ${ENFORCEMENT[name]} by default`, () => {
      expect(policy.enforcementLevel).toBe(ENFORCEMENT[name]);
    });

    it("has a config schema whose every option is described and defaulted", () => {
      const schema = policy.configSchema as PolicyConfigSchema;
      expect(Object.keys(schema.properties).length).toBeGreaterThan(0);
      expect(schema.properties).not.toHaveProperty("enforcementLevel"); // @pulumi/policy exits on it
      expect(schema.required).toBeUndefined();
      for (const [key, prop] of Object.entries(schema.properties)) {
        expect([key, typeof prop.description]).toEqual([key, "string"]);
        expect(prop).toHaveProperty("default");
      }
    });

    it("means the same defaults in the JSON schema (applied by the CLI) and in the policy (no config)", () => {
      const schema = policy.configSchema as PolicyConfigSchema;
      const defaults = Object.fromEntries(Object.entries(schema.properties).map(([k, p]) => [k, p.default]));
      expect(CONFIGS[name].parse(defaults)).toEqual(CONFIGS[name].parse({}));
    });
  });

  it("is declared for the nodejs runtime with a versioned package.json", () => {
    const manifest = parseYaml(readFileSync(join(packDir, "PulumiPolicy.yaml"), "utf8")) as { runtime: string };
    expect(manifest.runtime).toBe("nodejs");
    const pkg = JSON.parse(readFileSync(join(packDir, "package.json"), "utf8")) as {
      name: string;
      version: string;
      dependencies: Record<string, string>;
    };
    expect(pkg.name).toBe(POLICY_PACK_NAME);
    expect(pkg.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(Object.keys(pkg.dependencies)).toEqual(expect.arrayContaining(["@pulumi/policy", "@pulumi/pulumi", "zod"]));
  });

  it("serves every policy from index.ts under the pack name", () => {
    const index = readFileSync(join(packDir, "index.ts"), "utf8");
    expect(index).toMatch(/new PolicyPack\(POLICY_PACK_NAME, \{[^}]*policies,/s);
  });

  describe("examples/gitops/policy.json", () => {
    const example = JSON.parse(readFileSync(join(root, "examples/gitops/policy.json"), "utf8")) as Record<string, unknown>;

    it("configures only policies of the pack", () => {
      expect(Object.keys(example).filter((k) => k !== "all" && !(k in CONFIGS))).toEqual([]);
    });

    it.each(Object.entries(example))("has a valid config for %s", (name, value) => {
      const level = z.enum(["advisory", "mandatory", "remediate", "disabled"]);
      if (typeof value === "string") return expect(level.safeParse(value).success).toBe(true);
      const { enforcementLevel, ...options } = value as Record<string, unknown>;
      if (enforcementLevel !== undefined) expect(level.parse(enforcementLevel)).toBeDefined();
      const parsed = CONFIGS[name].safeParse(options);
      expect(parsed.success ? "valid" : z.prettifyError(parsed.error)).toBe("valid");
    });
  });

  describe("examples/gitops/preview-with-guardrails.yml", () => {
    const workflow = parseYaml(readFileSync(join(root, "examples/gitops/preview-with-guardrails.yml"), "utf8")) as {
      on: { pull_request: { paths: string[] } };
      env: Record<string, string>;
      jobs: { preview: { steps: { run?: string }[] } };
    };

    it("runs on pull requests that touch the stack, the pack or its config", () => {
      expect(workflow.on.pull_request.paths).toEqual(
        expect.arrayContaining(["Pulumi*.yaml", "policy-pack/**", "examples/gitops/policy.json"]),
      );
    });

    it("points at this pack and this example config", () => {
      expect(existsSync(join(root, workflow.env.POLICY_PACK, "PulumiPolicy.yaml"))).toBe(true);
      expect(existsSync(join(root, workflow.env.POLICY_CONFIG))).toBe(true);
    });

    it("previews with the pack and its config, failing the job on a mandatory violation", () => {
      const preview = workflow.jobs.preview.steps.find((s) => s.run?.includes("pulumi preview"))?.run ?? "";
      expect(preview).toMatch(/set -o pipefail/);
      expect(preview).toMatch(/--policy-pack "\$POLICY_PACK" --policy-pack-config "\$POLICY_CONFIG"/);
    });

    it("calls out instance-count changes", () => {
      const steps = workflow.jobs.preview.steps.map((s) => s.run ?? "").join("\n");
      expect(steps).toMatch(/numInstances\|instanceQuantity/);
    });
  });
});
