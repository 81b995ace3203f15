import { providerConfigArgs, resolveConfig } from "../../../src/testing/config";
import { makeSecret } from "../../../src/testing/property-values";

describe("resolveConfig", () => {
  test("namespaces bare keys with the project, stringifies values, and lists secret keys", () => {
    expect(
      resolveConfig("proj", {
        region: "us",
        "fcp:apiKey": { value: "k", secret: true },
        "fcp:limits": { value: { gpus: 2 } },
        "proj:count": 3,
        "proj:on": true,
      }),
    ).toEqual({
      values: {
        "proj:region": "us",
        "fcp:apiKey": "k",
        "fcp:limits": '{"gpus":2}',
        "proj:count": "3",
        "proj:on": "true",
      },
      secretKeys: ["fcp:apiKey"],
    });
  });

  test.each([
    [{ "a:b:c": "x" }, /config key "a:b:c" is not valid/],
    [{ region: "x", "proj:region": "y" }, /config key "proj:region" is given twice/],
    [{ "fcp:x": { value: null as unknown as string } }, /config key "fcp:x" has no value/],
  ])("rejects %p", (config, message) => {
    expect(() => resolveConfig("proj", config)).toThrow(message);
  });
});

test("providerConfigArgs keeps namespaces and marks secrets, as the CLI's Configure does", () => {
  const resolved = resolveConfig("proj", { greeting: "hi", "fcp:apiKey": { value: "k", secret: true } });
  expect(providerConfigArgs(resolved)).toEqual({ "proj:greeting": "hi", "fcp:apiKey": makeSecret("k") });
});
