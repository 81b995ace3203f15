import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FcpClient } from "../../../src/fcp-client/client";
import { ValidationError } from "../../../src/fcp-api/errors";
import {
  BUILTIN_CATALOG,
  canonicalInstanceTypeKey,
  loadInstanceTypeOverrides,
  parseInstanceType,
  resolveInstanceType,
  selectInstanceType,
  useBuiltinInstanceMappings,
} from "../../../src/fcp-api/instance-types";
import type { InstanceType, SpotAvailability } from "../../../src/fcp-api/models";
import { PROJECTS, type ScriptedServer, json, startScriptedServer } from "../fcp-client/scripted-server";

// The seed's "Resolution mapping (as implemented)", every line.
describe.each([
  ["a100", "it_MsIRhxj3ccyVWGfP", "a100-80gb.sxm.1x"],
  ["1xa100", "it_MsIRhxj3ccyVWGfP", "a100-80gb.sxm.1x"],
  ["2xa100", "it_5M6aGxGovNeX5ltT", "a100-80gb.sxm.2x"],
  ["4xa100", "it_fK7Cx6TVhOK5ZfXT", "a100-80gb.sxm.4x"],
  ["8xa100", "it_J7OyNf9idfImLIFo", "a100-80gb.sxm.8x"],
  ["a100-80gb.sxm.1x", "it_MsIRhxj3ccyVWGfP", "a100-80gb.sxm.1x"],
  ["a100-80gb.sxm.2x", "it_5M6aGxGovNeX5ltT", "a100-80gb.sxm.2x"],
  ["a100-80gb.sxm.4x", "it_fK7Cx6TVhOK5ZfXT", "a100-80gb.sxm.4x"],
  ["a100-80gb.sxm.8x", "it_J7OyNf9idfImLIFo", "a100-80gb.sxm.8x"],
  ["h100", "it_5ECSoHQjLBzrp5YM", "h100-80gb.sxm.8x"],
  ["8xh100", "it_5ECSoHQjLBzrp5YM", "h100-80gb.sxm.8x"],
  ["h100-80gb.sxm.8x", "it_5ECSoHQjLBzrp5YM", "h100-80gb.sxm.8x"],
  ["h100-80gb.pcie.1x", "it_XqgKWbhZ5gznAYsG", "h100-80gb.pcie.1x"],
  ["1xh100", "it_XqgKWbhZ5gznAYsG", "h100-80gb.pcie.1x"],
  ["it_MsIRhxj3ccyVWGfP", "it_MsIRhxj3ccyVWGfP", "a100-80gb.sxm.1x"],
  ["it_XqgKWbhZ5gznAYsG", "it_XqgKWbhZ5gznAYsG", "h100-80gb.pcie.1x"],
])("accepted: %s", (spec, fid, name) => {
  it(`resolves to ${fid} (${name}) against the built-in catalog`, () => {
    expect(resolveInstanceType(spec, BUILTIN_CATALOG)).toMatchObject({ fid, name });
  });
  it(`has the offline canonical key ${name}`, () => {
    expect(canonicalInstanceTypeKey(spec)).toBe(name);
  });
});

// The seed's "NOT supported" list, with the spelling the error must suggest.
describe.each([
  ["A100", "a100"],
  ["H100", "h100"],
  ["2XA100", "2xa100"],
  ["A100-80GB.SXM.1X", "a100-80gb.sxm.1x"],
  ["a100x8", "8xa100"],
  ["a100*8", "8xa100"],
  ["A100x8", "8xa100"],
  ["h100x8", "8xh100"],
  ["8*a100", "8xa100"],
  ["gpu.nvidia.a100", "a100"],
  ["gpu.nvidia.h100", "h100"],
  ["nvidia-a100", "a100"],
  ["nvidia-h100", "h100"],
  ["a100-80gb", "a100-80gb.sxm.1x"],
  ["h100-80gb", "h100-80gb.sxm.8x"],
  [" a100", "a100"],
])("rejected: %p", (spec, suggestion) => {
  it(`throws a ValidationError suggesting ${suggestion}`, () => {
    let err: unknown;
    try {
      parseInstanceType(spec);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).message).toContain(`write "${suggestion}"`);
    expect((err as ValidationError).suggestions[0]).toBe(`Use "${suggestion}".`);
    expect((err as ValidationError).field).toBe("instanceType");
    // The suggestion itself must be accepted.
    expect(() => parseInstanceType(suggestion)).not.toThrow();
  });
});

describe.each([[""], ["   "], ["0xa100"], ["a100-80gb.sxm.0x"], ["banana"], ["a100 8"], ["it-abc"]])("rejected without a guess: %p", (spec) => {
  it("throws a ValidationError listing the accepted forms", () => {
    expect(() => parseInstanceType(spec)).toThrow(ValidationError);
    try {
      parseInstanceType(spec);
    } catch (e) {
      expect((e as ValidationError).suggestions.join(" ")).toMatch(/Accepted forms/);
    }
  });
});

describe("parseInstanceType", () => {
  it.each([
    ["a100", { kind: "short", gpu: "a100", count: 1, countGiven: false }],
    ["h100", { kind: "short", gpu: "h100", count: 8, countGiven: false }],
    ["4xa100", { kind: "short", gpu: "a100", count: 4, countGiven: true }],
    ["h100-80gb.pcie.1x", { kind: "full", gpu: "h100", memoryGb: 80, interconnect: "pcie", count: 1 }],
    ["it_5M6aGxGovNeX5ltT", { kind: "fid", fid: "it_5M6aGxGovNeX5ltT" }],
  ])("%s parses to its parts", (spec, parts) => {
    expect(parseInstanceType(spec)).toMatchObject(parts);
  });
});

describe("canonicalInstanceTypeKey", () => {
  it("makes every spelling of one type equal, offline", () => {
    const keys = ["a100", "1xa100", "a100-80gb.sxm.1x", "it_MsIRhxj3ccyVWGfP"].map((s) => canonicalInstanceTypeKey(s));
    expect(new Set(keys).size).toBe(1);
    expect(canonicalInstanceTypeKey("h100")).toBe(canonicalInstanceTypeKey("8xh100"));
    expect(canonicalInstanceTypeKey("a100")).not.toBe(canonicalInstanceTypeKey("2xa100"));
  });
  it("keeps a normalised spelling for types the built-in table lacks", () => {
    expect(canonicalInstanceTypeKey("h200")).toBe("1xh200");
    expect(canonicalInstanceTypeKey("1xh200")).toBe("1xh200");
    expect(canonicalInstanceTypeKey("b200-192gb.sxm.8x")).toBe("b200-192gb.sxm.8x");
    expect(canonicalInstanceTypeKey("it_Unknown123")).toBe("it_Unknown123");
  });
  it("follows overrides", () => {
    expect(canonicalInstanceTypeKey("custom-gpu", { "custom-gpu": "it_MsIRhxj3ccyVWGfP" })).toBe("a100-80gb.sxm.1x");
  });
  it("throws for unsupported spellings", () => {
    expect(() => canonicalInstanceTypeKey("A100")).toThrow(/write "a100"/);
  });
});

describe("resolveInstanceType", () => {
  it("lists what the catalog offers when nothing matches", () => {
    expect(() => resolveInstanceType("2xh100", BUILTIN_CATALOG)).toThrow(/not in the FCP catalog \(it offers a100-80gb.sxm.1x, .*h100-80gb.sxm.8x\)/);
  });
  it("uses overrides first, including names outside the seed's formats", () => {
    expect(resolveInstanceType("custom-gpu", BUILTIN_CATALOG, { "custom-gpu": "it_CustomFID123" })).toEqual({ fid: "it_CustomFID123", name: "custom-gpu", numGpus: 0 });
    expect(resolveInstanceType("a100", BUILTIN_CATALOG, { a100: "it_J7OyNf9idfImLIFo" }).name).toBe("a100-80gb.sxm.8x");
  });
  it("resolves a short name against a live catalog with other FIDs", () => {
    const live: InstanceType[] = [
      { fid: "it_live1", name: "a100-80gb.sxm.1x", numGpus: 1, gpuMemoryGb: 80 },
      { fid: "it_live2", name: "h100-80gb.pcie.8x", numGpus: 8, gpuMemoryGb: 80 },
      { fid: "it_live3", name: "h100-80gb.sxm.8x", numGpus: 8, gpuMemoryGb: 80 },
    ];
    expect(resolveInstanceType("a100", live).fid).toBe("it_live1");
    // SXM preferred, as in the seed's table, whatever the catalog order.
    expect(resolveInstanceType("h100", live).fid).toBe("it_live3");
  });
});

describe("overrides from ~/.flow/instance_types.json and FCP_INSTANCE_MAPPINGS", () => {
  const home = mkdtempSync(join(tmpdir(), "fcp-it-"));
  mkdirSync(join(home, ".flow"));
  writeFileSync(join(home, ".flow", "instance_types.json"), JSON.stringify({ a100: "it_FromFile", "custom-gpu": "it_CustomFID123" }));

  it("reads the file, and the env var wins over it", () => {
    expect(loadInstanceTypeOverrides({ homeDir: home, env: {} })).toEqual({ a100: "it_FromFile", "custom-gpu": "it_CustomFID123" });
    expect(loadInstanceTypeOverrides({ homeDir: home, env: { FCP_INSTANCE_MAPPINGS: '{"a100":"it_FromEnv"}' } })).toEqual({
      a100: "it_FromEnv",
      "custom-gpu": "it_CustomFID123",
    });
  });
  it("rejects malformed JSON rather than guessing", () => {
    expect(() => loadInstanceTypeOverrides({ homeDir: "/nonexistent", env: { FCP_INSTANCE_MAPPINGS: "{a100:" } })).toThrow(/FCP_INSTANCE_MAPPINGS is not valid JSON/);
    expect(() => loadInstanceTypeOverrides({ homeDir: "/nonexistent", env: { FCP_INSTANCE_MAPPINGS: '{"a100": 5}' } })).toThrow(/must map instance type names to FID strings/);
  });
  it.each([
    ["true", true],
    ["1", true],
    ["TRUE", true],
    ["false", false],
    [undefined, false],
  ])("FCP_USE_BUILTIN_INSTANCE_MAPPINGS=%p → %p", (v, expected) => {
    expect(useBuiltinInstanceMappings({ FCP_USE_BUILTIN_INSTANCE_MAPPINGS: v })).toBe(expected);
  });

  describe("through the client", () => {
    let server: ScriptedServer;
    beforeAll(async () => {
      server = await startScriptedServer((req, res) => {
        if (req.path === "/v2/projects") return json(res, 200, PROJECTS);
        if (req.path === "/v2/instance-types") return json(res, 200, [{ fid: "it_LIVE_A100", name: "a100-80gb.sxm.1x", num_gpus: 1, gpu_memory_gb: 80 }]);
        json(res, 404, { detail: "Not Found" });
      });
    });
    afterAll(() => server.close());

    it("resolves against the live catalog, fetched once and cached", async () => {
      server.requests.length = 0;
      const c = new FcpClient({ apiKey: "fcp-key-it-00000000", apiUrl: server.url, env: {}, homeDir: "/nonexistent" });
      await expect(c.resolveInstanceType("a100")).resolves.toMatchObject({ fid: "it_LIVE_A100" });
      await expect(c.resolveInstanceType("1xa100")).resolves.toMatchObject({ fid: "it_LIVE_A100" });
      expect(server.requests.filter((r) => r.path === "/v2/instance-types")).toHaveLength(1);
      await c.close();
    });

    it("uses the built-in table with FCP_USE_BUILTIN_INSTANCE_MAPPINGS=true, with no catalog request", async () => {
      server.requests.length = 0;
      const c = new FcpClient({ apiKey: "fcp-key-it-00000000", apiUrl: server.url, env: { FCP_USE_BUILTIN_INSTANCE_MAPPINGS: "true" }, homeDir: "/nonexistent" });
      await expect(c.resolveInstanceType("a100")).resolves.toMatchObject({ fid: "it_MsIRhxj3ccyVWGfP" });
      expect(server.requests).toHaveLength(0);
      await c.close();
    });

    it("applies file and env overrides", async () => {
      const c = new FcpClient({
        apiKey: "fcp-key-it-00000000",
        apiUrl: server.url,
        homeDir: home,
        env: { FCP_USE_BUILTIN_INSTANCE_MAPPINGS: "true", FCP_INSTANCE_MAPPINGS: '{"big":"it_J7OyNf9idfImLIFo"}' },
      });
      await expect(c.resolveInstanceType("custom-gpu")).resolves.toMatchObject({ fid: "it_CustomFID123" });
      await expect(c.resolveInstanceType("big")).resolves.toMatchObject({ name: "a100-80gb.sxm.8x" });
      await c.close();
    });
  });
});

describe("selectInstanceType", () => {
  const offer = (instanceType: string, region: string, cents: number, capacity = 5): SpotAvailability => ({
    fid: `auc_${instanceType}_${region}`,
    instanceType,
    region,
    capacity,
    lastInstancePriceCents: cents,
    lastInstancePrice: `$${(cents / 100).toFixed(2)}`,
  });
  const availability = [
    offer("it_MsIRhxj3ccyVWGfP", "us-central1-a", 1200),
    offer("it_MsIRhxj3ccyVWGfP", "us-central1-b", 900, 0),
    offer("it_5M6aGxGovNeX5ltT", "us-central1-a", 2000),
    offer("it_XqgKWbhZ5gznAYsG", "us-central1-b", 1100),
    offer("it_5ECSoHQjLBzrp5YM", "us-central1-b", 8000),
  ];

  it("picks the cheapest type on offer with enough GPU memory (capacity 0 is not on offer)", () => {
    const s = selectInstanceType({ minGpuMemoryGb: 80 }, BUILTIN_CATALOG, availability);
    expect(s.instanceType.name).toBe("h100-80gb.pcie.1x");
    expect(s.priceCents).toBe(1100);
    expect(s.auction.region).toBe("us-central1-b");
  });
  it("honours region, GPU count and max price", () => {
    expect(selectInstanceType({ minGpuMemoryGb: 40, region: "us-central1-a" }, BUILTIN_CATALOG, availability).instanceType.name).toBe("a100-80gb.sxm.1x");
    expect(selectInstanceType({ minGpuMemoryGb: 80, gpuCount: 8 }, BUILTIN_CATALOG, availability).instanceType.name).toBe("h100-80gb.sxm.8x");
    expect(() => selectInstanceType({ minGpuMemoryGb: 80, gpuCount: 8, maxPriceCents: 5000 }, BUILTIN_CATALOG, availability)).toThrow(
      /cheapest offer .* costs \$80.00\/hour, above the maximum \$50.00/,
    );
  });
  it("explains when nothing has enough memory or nothing is on offer", () => {
    expect(() => selectInstanceType({ minGpuMemoryGb: 141 }, BUILTIN_CATALOG, availability)).toThrow(/largest GPU in the catalog has 80 GB/);
    expect(() => selectInstanceType({ minGpuMemoryGb: 80, gpuCount: 4, region: "us-central1-b" }, BUILTIN_CATALOG, availability)).toThrow(
      /No spot capacity .* in us-central1-b/,
    );
    expect(() => selectInstanceType({ minGpuMemoryGb: -1 }, BUILTIN_CATALOG, availability)).toThrow(/minGpuMemoryGb must be a positive number/);
  });
});
