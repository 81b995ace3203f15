import { applyIgnoreChanges, parsePropertyPath } from "../../../src/testing/property-path";
import { makeSecret } from "../../../src/testing/property-values";

describe("parsePropertyPath", () => {
  test.each([
    ["size", ["size"]],
    ["spec.size", ["spec", "size"]],
    ["ports[0].name", ["ports", 0, "name"]],
    ['labels["a.b"]', ["labels", "a.b"]],
  ])("%s", (path, segments) => {
    expect(parsePropertyPath(path)).toEqual(segments);
  });

  test.each(["", "tags[*]", "a..b[", "a[x]"])("rejects %p with a remedy", (path) => {
    expect(() => parsePropertyPath(path)).toThrow(/is not supported: use property names separated by dots/);
  });
});

describe("applyIgnoreChanges", () => {
  const olds = { size: 1, spec: { zone: "a", tier: "x" }, ports: [80, 443], secretish: makeSecret({ k: "old" }) };
  test.each([
    ["a top-level key keeps its old value", ["size"], { size: 9 }, { size: 1 }],
    ["a nested key keeps its old value; siblings change", ["spec.zone"], { spec: { zone: "b", tier: "y" } }, { spec: { zone: "a", tier: "y" } }],
    ["a key absent before is removed again", ["extra"], { extra: 1 }, {}],
    ["list items by index", ["ports[1]"], { ports: [81, 8443] }, { ports: [81, 443] }],
    ["paths through a secret read its plaintext", ["secretish.k"], { secretish: { k: "new" } }, { secretish: { k: "old" } }],
  ])("%s", (_name, paths, news, expected) => {
    expect(applyIgnoreChanges(olds, news, paths)).toEqual(expected);
  });

  test("does not modify the maps it is given", () => {
    const news = { spec: { zone: "b" } };
    applyIgnoreChanges(olds, news, ["spec.zone"]);
    expect(news).toEqual({ spec: { zone: "b" } });
  });
});
