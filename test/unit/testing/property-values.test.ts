import {
  annotateSecrets,
  changedKeys,
  containsUnknown,
  makeSecret,
  markSecretKeys,
  SECRET_SIG,
  SIG_KEY,
  toPropertyMap,
  UNKNOWN,
  unwrapSecrets,
  valuesEqual,
  withoutInternalKeys,
} from "../../../src/testing/property-values";

const secret = (value: unknown) => ({ [SIG_KEY]: SECRET_SIG, value });

describe("annotateSecrets", () => {
  test.each([
    ["a secret input makes the output of the same name secret", { k: "v" }, { k: secret("v") }, { k: secret("v") }],
    ["outputs without an input of their name stay plain", { other: 1 }, { k: secret("v") }, { other: 1 }],
    ["objects recurse key by key", { o: { a: 1, b: 2 } }, { o: { a: secret(1), b: 2 } }, { o: { a: secret(1), b: 2 } }],
    ["a secret anywhere inside a non-object input makes the whole output secret", { l: [1, 2] }, { l: [secret(1), 2] }, { l: secret([1, 2]) }],
    ["an output already secret stays as it is", { k: secret("x") }, { k: secret("v") }, { k: secret("x") }],
  ])("%s", (_name, outs, ins, expected) => {
    expect(annotateSecrets(toPropertyMap(outs, "outs"), toPropertyMap(ins, "ins"))).toEqual(expected);
  });
});

test("markSecretKeys wraps only the named keys that exist", () => {
  expect(markSecretKeys({ a: 1, b: 2 }, ["b", "missing"])).toEqual({ a: 1, b: secret(2) });
});

test("unwrapSecrets removes wrappers at any depth", () => {
  expect(unwrapSecrets(toPropertyMap({ a: secret({ b: [secret(1)] }) }, "x"))).toEqual({ a: { b: [1] } });
});

test("makeSecret does not double-wrap", () => {
  expect(makeSecret(makeSecret("v"))).toEqual(secret("v"));
});

test("valuesEqual compares secrets by plaintext and objects by content", () => {
  expect(valuesEqual(makeSecret("v"), "v")).toBe(true);
  expect(valuesEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
  expect(valuesEqual({ a: [1] }, { a: [1, 2] })).toBe(false);
  expect(valuesEqual({ a: 1 }, { a: 1, b: null })).toBe(false);
});

test("changedKeys lists added, removed and changed top-level keys, sorted", () => {
  expect(changedKeys({ a: 1, b: 2, c: 3 }, { b: 2, c: 4, d: 5 })).toEqual(["a", "c", "d"]);
});

test("containsUnknown finds the sentinel at any depth", () => {
  expect(containsUnknown({ a: [{ b: UNKNOWN }] })).toBe(true);
  expect(containsUnknown({ a: "known" })).toBe(false);
});

test("withoutInternalKeys drops __provider and friends", () => {
  expect(withoutInternalKeys({ __provider: "x", size: 1 })).toEqual({ size: 1 });
});

describe("toPropertyMap", () => {
  test("drops undefined entries, as Pulumi does", () => {
    expect(toPropertyMap({ a: undefined, b: [undefined, 1] }, "v")).toEqual({ b: [null, 1] });
  });
  test.each([
    [{ d: new Date(0) }, /v\.d is an instance of Date; property values must be plain JSON/],
    [{ n: Number.NaN }, /v\.n is NaN/],
    [{ f: () => 1 }, /v\.f is function/],
    ["text", /v must be an object of properties, got string/],
  ])("rejects %p", (value, message) => {
    expect(() => toPropertyMap(value, "v")).toThrow(message);
  });
});
