// The pack as the Pulumi CLI loads it: @pulumi/pulumi's run-policy-pack, with the pack directory
// as working directory, compiles the TypeScript with its ts-node and serves the Analyzer gRPC
// service. These tests talk to that real process the way the engine does.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as pb from "@pulumi/pulumi/proto/analyzer_pb";

const PACK_DIR = join(__dirname, "../../../policy-pack");
const SPOT_BID = "pulumi-nodejs:dynamic/fcp:SpotBid";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"; // the engine's unknown sentinel

let runner: ChildProcess;
let client: AnalyzerClient;
let stderr = "";

beforeAll(async () => {
  runner = spawn(process.execPath, [require.resolve("@pulumi/pulumi/cmd/run-policy-pack"), "127.0.0.1:1", "."], {
    cwd: PACK_DIR,
    stdio: ["ignore", "pipe", "pipe"],
  });
  runner.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    runner.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /^(\d+)\s*$/m.exec(out);
      if (m) resolve(Number(m[1]));
    });
    runner.on("exit", (code) => reject(new Error(`run-policy-pack exited with ${code} before serving:\n${stderr}`)));
  });
  client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}, 120_000);

afterAll(() => {
  client?.close();
  runner?.kill();
});

function call<Req, Res>(method: (req: Req, cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown, req: Req): Promise<Res> {
  return new Promise((resolve, reject) => method.call(client, req, (err, res) => (err ? reject(err) : resolve(res))));
}

function options(): pb.AnalyzerResourceOptions {
  const o = new pb.AnalyzerResourceOptions();
  o.setCustomtimeouts(new pb.AnalyzerResourceOptions.CustomTimeouts());
  return o;
}

function provider(): pb.AnalyzerProviderResource {
  const p = new pb.AnalyzerProviderResource();
  p.setType("pulumi:providers:pulumi-nodejs");
  p.setName("default");
  p.setUrn("urn:pulumi:dev::gpu::pulumi:providers:pulumi-nodejs::default");
  p.setProperties(Struct.fromJavaScript({}));
  return p;
}

function bidRequest(name: string, props: Record<string, unknown>): pb.AnalyzeRequest {
  const req = new pb.AnalyzeRequest();
  req.setType(SPOT_BID);
  req.setName(name);
  req.setUrn(`urn:pulumi:dev::gpu::${SPOT_BID}::${name}`);
  req.setProperties(Struct.fromJavaScript(props as Record<string, never>));
  req.setOptions(options());
  req.setProvider(provider());
  return req;
}

function bidResource(name: string, props: Record<string, unknown>): pb.AnalyzerResource {
  const r = new pb.AnalyzerResource();
  r.setType(SPOT_BID);
  r.setName(name);
  r.setUrn(`urn:pulumi:dev::gpu::${SPOT_BID}::${name}`);
  r.setProperties(Struct.fromJavaScript(props as Record<string, never>));
  r.setOptions(options());
  r.setProvider(provider());
  return r;
}

async function configure(config: Record<string, { level: pb.EnforcementLevel; props?: Record<string, unknown> }>): Promise<void> {
  const req = new pb.ConfigureAnalyzerRequest();
  for (const [name, c] of Object.entries(config)) {
    const pc = new pb.PolicyConfig();
    pc.setEnforcementlevel(c.level);
    pc.setProperties(Struct.fromJavaScript((c.props ?? {}) as Record<string, never>));
    req.getPolicyconfigMap().set(name, pc);
  }
  await call<pb.ConfigureAnalyzerRequest, Empty>(client.configure, req);
}

const bid = { name: "train-bid-1", instanceType: "8xh100", region: "us-central1-a", limitPrice: "$25.00", instanceQuantity: 2, startupScript: "#!/bin/bash\n" };

describe("fcp-guardrails under @pulumi/pulumi's run-policy-pack", () => {
  it("loads the TypeScript pack and describes every policy with its level and config schema", async () => {
    const info = await call<Empty, pb.AnalyzerInfo>(client.getAnalyzerInfo, new Empty());
    expect(info.getName()).toBe("fcp-guardrails");
    expect(info.getVersion()).toBe("0.1.0");
    expect(info.getSupportsconfig()).toBe(true);
    const policies = Object.fromEntries(info.getPoliciesList().map((p) => [p.getName(), p]));
    expect(Object.keys(policies).sort()).toEqual([
      "allowed-instance-types",
      "allowed-regions",
      "hourly-spend-change",
      "max-instances-per-bid",
      "max-price-per-hour",
      "max-stack-hourly-spend",
      "no-secrets-in-env",
      "require-max-run-time",
      "startup-script-size",
    ]);
    expect(policies["max-price-per-hour"].getEnforcementlevel()).toBe(pb.EnforcementLevel.MANDATORY);
    expect(policies["allowed-regions"].getEnforcementlevel()).toBe(pb.EnforcementLevel.ADVISORY);
    const schema = policies["max-stack-hourly-spend"].getConfigschema()?.getProperties()?.toJavaScript();
    expect(schema).toMatchObject({ maxSpendPerHour: { default: 100 }, largestContributors: { default: 3 } });
  });

  it("passes a bid within the limits and reports one above them, as mandatory, with price and limit", async () => {
    await configure({ "max-price-per-hour": { level: pb.EnforcementLevel.MANDATORY, props: { maxPricePerHour: 20 } } });
    const ok = await call<pb.AnalyzeRequest, pb.AnalyzeResponse>(client.analyze, bidRequest("cheap", { ...bid, limitPrice: 15 }));
    expect(ok.getDiagnosticsList()).toEqual([]);

    const res = await call<pb.AnalyzeRequest, pb.AnalyzeResponse>(client.analyze, bidRequest("pricey", bid));
    const [d, ...rest] = res.getDiagnosticsList();
    expect(rest).toEqual([]);
    expect(d.getPolicyname()).toBe("max-price-per-hour");
    expect(d.getEnforcementlevel()).toBe(pb.EnforcementLevel.MANDATORY);
    expect(d.getMessage()).toContain('SpotBid "pricey" bids a limit price of $25.00 per instance-hour');
    expect(d.getMessage()).toContain("above the maximum of $20.00 per instance-hour (maxPricePerHour)");
  });

  it("turns an unknown price into an advisory 'cannot evaluate until apply', even for a mandatory policy", async () => {
    await configure({});
    const res = await call<pb.AnalyzeRequest, pb.AnalyzeResponse>(client.analyze, bidRequest("later", { ...bid, limitPrice: UNKNOWN }));
    const [d, ...rest] = res.getDiagnosticsList();
    expect(rest).toEqual([]);
    expect(d.getPolicyname()).toBe("max-price-per-hour");
    expect(d.getEnforcementlevel()).toBe(pb.EnforcementLevel.ADVISORY);
    expect(d.getMessage()).toMatch(/during preview: cannot evaluate until apply: limitPrice of SpotBid "later" is not known/);
  });

  it("reports a stack over budget with the total and the largest bids", async () => {
    await configure({ "max-stack-hourly-spend": { level: pb.EnforcementLevel.MANDATORY, props: { maxSpendPerHour: "$60.00" } } });
    const req = new pb.AnalyzeStackRequest();
    req.setResourcesList([
      bidResource("train", { ...bid, instanceQuantity: 4, limitPrice: 20 }),
      bidResource("eval", { ...bid, instanceQuantity: 1, limitPrice: 8 }),
    ]);
    const res = await call<pb.AnalyzeStackRequest, pb.AnalyzeResponse>(client.analyzeStack, req);
    // hourly-spend-change reports on every stack analysis; its own test is below.
    const [d, ...rest] = res.getDiagnosticsList().filter((x) => x.getPolicyname() !== "hourly-spend-change");
    expect(rest).toEqual([]);
    expect(d.getPolicyname()).toBe("max-stack-hourly-spend");
    expect(d.getEnforcementlevel()).toBe(pb.EnforcementLevel.MANDATORY);
    expect(d.getMessage()).toContain("can cost up to $88.00 per hour");
    expect(d.getMessage()).toContain('Largest: SpotBid "train" $80.00 (4 × $20.00) and SpotBid "eval" $8.00 (1 × $8.00).');
  });

  it("lets the config lower a mandatory policy to advisory", async () => {
    await configure({ "max-price-per-hour": { level: pb.EnforcementLevel.ADVISORY, props: { maxPricePerHour: 20 } } });
    const res = await call<pb.AnalyzeRequest, pb.AnalyzeResponse>(client.analyze, bidRequest("pricey", bid));
    expect(res.getDiagnosticsList().map((d) => [d.getPolicyname(), d.getEnforcementlevel()])).toEqual([
      ["max-price-per-hour", pb.EnforcementLevel.ADVISORY],
    ]);
  });

  it("reports the stack's hourly spend before → after as an advisory finding, from a `pulumi stack export` file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "spend-change-"));
    const previous = join(dir, "previous.json");
    const resources = [{ urn: `urn:pulumi:dev::gpu::${SPOT_BID}::train`, type: SPOT_BID, inputs: { ...bid, limitPrice: "$30.00", instanceQuantity: 2 }, outputs: {} }];
    writeFileSync(previous, JSON.stringify({ version: 3, deployment: { resources } }));
    await configure({ "hourly-spend-change": { level: pb.EnforcementLevel.ADVISORY, props: { previousStateFile: previous } } });
    const req = new pb.AnalyzeStackRequest();
    req.setResourcesList([bidResource("train", { ...bid, limitPrice: "$30.00", instanceQuantity: 4 })]);
    const res = await call<pb.AnalyzeStackRequest, pb.AnalyzeResponse>(client.analyzeStack, req);
    const found = res.getDiagnosticsList().filter((x) => x.getPolicyname() === "hourly-spend-change");
    expect(found.map((d) => [d.getEnforcementlevel(), d.getMessage()])).toEqual([
      [pb.EnforcementLevel.ADVISORY, expect.stringContaining("Worst-case hourly spend: $60.00/h → $120.00/h (+$60.00/h).")],
    ]);
  });
});
