import { makeUrn, qualifiedTypeOf } from "../../../src/testing/urn";

const stackUrn = "urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev";

test.each([
  ["no parent", undefined, "urn:pulumi:dev::proj::pulumi-nodejs:dynamic:Resource::r"],
  ["the root stack adds nothing to the type", stackUrn, "urn:pulumi:dev::proj::pulumi-nodejs:dynamic:Resource::r"],
  ["a component parent prefixes its type", "urn:pulumi:dev::proj::fcp:index:Task::t", "urn:pulumi:dev::proj::fcp:index:Task$pulumi-nodejs:dynamic:Resource::r"],
  [
    "nested parents keep the whole chain, as the engine does",
    "urn:pulumi:dev::proj::a:b:Outer$a:b:Inner::i",
    "urn:pulumi:dev::proj::a:b:Outer$a:b:Inner$pulumi-nodejs:dynamic:Resource::r",
  ],
])("%s", (_name, parent, expected) => {
  expect(makeUrn("dev", "proj", "pulumi-nodejs:dynamic:Resource", "r", parent)).toBe(expected);
});

test("qualifiedTypeOf rejects what is not a URN", () => {
  expect(() => qualifiedTypeOf("not-a-urn")).toThrow(/is not a Pulumi URN/);
});
