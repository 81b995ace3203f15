import { decideOp, type DiffDecisionInput } from "../../../src/testing/plan";

const base: DiffDecisionInput = {
  diff: { changes: "none", replaces: [], deleteBeforeReplace: false, diffs: [] },
  inputChanges: [],
  outputChanges: [],
  replaceOnChanges: [],
  deleteBeforeReplace: false,
  hasInitErrors: false,
};
type Over = Partial<Omit<DiffDecisionInput, "diff">> & { diff?: Partial<DiffDecisionInput["diff"]> };
const input = (over: Over): DiffDecisionInput => ({
  ...base,
  ...over,
  diff: { ...base.diff, ...over.diff },
});

describe("decideOp", () => {
  test.each([
    ["no changes: same", input({}), { op: "same", changedKeys: [], replaceKeys: [] }],
    ["provider says none even if inputs differ: same", input({ inputChanges: ["a"] }), { op: "same", changedKeys: [] }],
    ["no diff method: inputs decide", input({ diff: { changes: "unknown" }, inputChanges: ["__provider", "a"] }), { op: "update", changedKeys: ["__provider", "a"] }],
    ["no diff method, same inputs: same", input({ diff: { changes: "unknown" } }), { op: "same" }],
    ["provider lists its diffs", input({ diff: { changes: "some", diffs: ["spec.size", "spec.zone", "tags"] } }), { op: "update", changedKeys: ["spec", "tags"] }],
    ["provider says some without keys: the inputs explain", input({ diff: { changes: "some" }, inputChanges: ["b"] }), { op: "update", changedKeys: ["b"] }],
    ["provider says some, inputs equal: drifted outputs explain", input({ diff: { changes: "some" }, outputChanges: ["size"] }), { op: "update", changedKeys: ["size"] }],
    ["provider says some with nothing to show: still an update", input({ diff: { changes: "some" } }), { op: "update", changedKeys: [] }],
    ["replaces: replace, create before delete", input({ diff: { changes: "some", replaces: ["zone"] }, inputChanges: ["zone"] }), { op: "replace", replaceKeys: ["zone"], deleteBeforeReplace: false }],
    ["deleteBeforeReplace from the option", input({ diff: { changes: "some", replaces: ["zone"] }, deleteBeforeReplace: true }), { op: "replace", deleteBeforeReplace: true }],
    ["deleteBeforeReplace from the provider", input({ diff: { changes: "some", replaces: ["zone"], deleteBeforeReplace: true } }), { op: "replace", deleteBeforeReplace: true }],
    ["deleteBeforeReplace alone is not a replace", input({ deleteBeforeReplace: true, diff: { changes: "some" }, inputChanges: ["a"] }), { op: "update", deleteBeforeReplace: false }],
    ["replaceOnChanges turns a changed key into a replace", input({ diff: { changes: "some" }, inputChanges: ["image", "x"], replaceOnChanges: ["image"] }), { op: "replace", replaceKeys: ["image"] }],
    ["replaceOnChanges * replaces on any change", input({ diff: { changes: "some" }, inputChanges: ["x"], replaceOnChanges: ["*"] }), { op: "replace", replaceKeys: ["x"] }],
    ["a failed initialization is retried with an update", input({ hasInitErrors: true }), { op: "update", changedKeys: [] }],
  ])("%s", (_name, given, expected) => {
    expect(decideOp(given)).toMatchObject(expected);
  });
});
