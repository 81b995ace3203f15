// Issue 12: every validation message names the field, the value and the fix; no `[object Object]`,
// no zod wording, and a Pulumi Output where a plain value is needed says so and how to fix it.
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { describeValue, formatIssues, issueMessages } from "../../../src/fcp-api/issue-messages";
import { parsePriceCents } from "../../../src/fcp-api/price";
import { check as checkSpotBid } from "../../../src/provider/spot-bid-provider";
import { check as checkVolume } from "../../../src/provider/volume-provider";
import { validateTaskConfig } from "../../../src/resources/task-config";

const RAW_ZOD = /Invalid input|expected \w+, received|Too small|Too big|Invalid option|\[object Object\]|OutputImpl|native code/;

describe("describeValue", () => {
  it.each([
    [{}, "the object {}"],
    [{ a: 1 }, 'the object {"a":1}'],
    [[1, 2], "the list [1,2]"],
    [() => 1, "a function"],
    [undefined, "nothing"],
    [null, "null"],
    ["x", '"x"'],
    [3, "3"],
    [pulumi.output("x"), "a Pulumi Output"],
  ])("%p reads as %s", (value, shown) => {
    expect(describeValue(value)).toBe(shown);
  });

  it("shortens long values and survives cycles", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(describeValue(cyclic)).toBe("an object");
    expect(describeValue("x".repeat(500)).length).toBeLessThan(70);
  });
});

describe("issue messages", () => {
  const schema = z.object({
    region: z.string(),
    count: z.number().int().min(1),
    mode: z.enum(["block", "file"]),
    tags: z.array(z.string()).max(2),
    name: z.string().min(3),
  }).strict();
  const input = { count: 0, mode: "nfs", tags: ["a", "b", "c"], name: "ab", extra: true };
  const result = schema.safeParse(input);
  const messages = result.success ? [] : issueMessages(result.error, input);

  it("says what is missing, and what to give", () => {
    expect(messages).toContainEqual({ field: "region", reason: "is required: give a string." });
  });

  it("names the value given and what is expected", () => {
    expect(messages).toContainEqual({ field: "count", reason: "got 0, but it must be at least 1." });
    expect(messages).toContainEqual({ field: "mode", reason: 'got "nfs", but it must be one of "block", "file".' });
    expect(messages).toContainEqual({ field: "tags", reason: 'got the list ["a","b","c"] (3 items), but it must have at most 2 items.' });
    expect(messages).toContainEqual({ field: "name", reason: 'got "ab" (2 characters), but it must have at least 3 characters.' });
    expect(messages).toContainEqual({ field: "(inputs)", reason: 'has unknown field "extra". Remove it, or check the spelling.' });
  });

  it("never uses zod's wording", () => {
    expect(result.success).toBe(false);
    if (!result.success) expect(formatIssues(result.error, input)).not.toMatch(RAW_ZOD);
  });

  it("says a Pulumi Output is not a plain value, and how to fix it", () => {
    const out = { region: pulumi.output("us-central1-a"), count: 1, mode: "block", tags: [], name: "abc" };
    const parsed = schema.safeParse(out);
    expect(parsed.success).toBe(false);
    if (parsed.success) return;
    const [m] = issueMessages(parsed.error, out);
    expect(m.field).toBe("region");
    expect(m.reason).toMatch(/^got a Pulumi Output, but region needs a plain value here\. Pass a plain value .*\.apply\(/);
  });

  it("keeps a schema's own message", () => {
    const own = z.object({ n: z.number().min(1, "must be at least one instance") });
    const parsed = own.safeParse({ n: 0 });
    expect(parsed.success ? [] : issueMessages(parsed.error, { n: 0 })).toEqual([{ field: "n", reason: "must be at least one instance" }]);
  });
});

describe("messages where users meet them", () => {
  it("prices name the value given, never [object Object]", () => {
    expect(() => parsePriceCents({}, "limitPrice")).toThrow('Invalid limitPrice: got the object {}, but it must be a number of dollars or a dollar string like "$15.00".');
    expect(() => parsePriceCents(pulumi.output(5), "limitPrice")).toThrow(/got a Pulumi Output, but limitPrice needs a plain value/);
  });

  it("SpotBid check failures name the property, the value and what is expected", async () => {
    const result = await checkSpotBid({}, { resourceName: "b", instanceType: "a100", limitPrice: {}, instanceQuantity: 0, region: 5, sshKeyIds: "x", waitFor: "soon" });
    expect(result.failures).toEqual([
      { property: "region", reason: "got 5, but it must be a string. Give a string." },
      { property: "limitPrice", reason: expect.stringContaining("Invalid limitPrice: got the object {}, but it must be a number of dollars") },
      { property: "instanceQuantity", reason: "got 0, but it must be at least 1." },
      { property: "sshKeyIds", reason: 'got "x", but it must be a list. Give a list.' },
      { property: "waitFor", reason: 'got "soon", but it must be one of "none", "allocated", "running".' },
    ]);
    for (const f of result.failures ?? []) expect(f.reason).not.toMatch(RAW_ZOD);
  });

  it("Volume check failures too", async () => {
    const result = await checkVolume({}, { resourceName: "v", sizeGb: "big", interface: "nfs" });
    expect(result.failures).toEqual([
      { property: "sizeGb", reason: 'got "big", but it must be a number. Give a number.' },
      { property: "interface", reason: 'got "nfs", but it must be one of "block", "file".' },
    ]);
  });

  it("a TaskConfig given an Output for image says so and how to fix it; env values are never echoed", () => {
    const { errors } = validateTaskConfig({ name: "t", instanceType: "a100", image: pulumi.output("img"), command: ["x"], maxPricePerHour: 3, env: { TOKEN: ["hf_secret12345"] } });
    expect(errors).toContainEqual({ field: "image", message: expect.stringMatching(/^got a Pulumi Output, but image needs a plain value here.*\.apply\(/) });
    const env = errors.find((e) => e.field.startsWith("env"));
    expect(env?.message).toBeDefined();
    expect(env?.message).not.toContain("hf_secret12345");
    for (const e of errors) expect(e.message).not.toMatch(RAW_ZOD);
  });
});
