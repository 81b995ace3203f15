import { ApiProblem } from "../../../src/emulator/problem";
import { initialState } from "../../../src/emulator/initial-state";
import { checkInstanceTypeFid, checkProject, checkWirePrice, rejectUnknownFields, requireObject } from "../../../src/emulator/validation";

function problem(fn: () => unknown): ApiProblem {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiProblem) return err;
    throw err;
  }
  throw new Error("expected an ApiProblem");
}

describe("checkWirePrice", () => {
  it.each(["$15.00", "$0.50", "$3", "$1234.5"])("accepts %s", (price) => {
    expect(() => checkWirePrice("limit_price", price)).not.toThrow();
  });
  it.each([
    [10, /not the number 10. Send "\$10.00"/],
    ["15.00", /must include the dollar sign: send "\$15.00"/],
    ["$15.001", /at most two decimals/],
    ["15 USD", /dollar string/],
    [null, /dollar string/],
  ])("refuses %j with a 422 that says the fix", (price, message) => {
    const p = problem(() => checkWirePrice("limit_price", price));
    expect(p.status).toBe(422);
    expect(p.message).toMatch(message);
    expect(p.details).toMatchObject({ field: "limit_price", value: price });
  });
});

describe("checkInstanceTypeFid", () => {
  it.each([
    ["a100", "it_MsIRhxj3ccyVWGfP"],
    ["gpu.nvidia.a100", "it_MsIRhxj3ccyVWGfP"],
    ["a100-80gb.sxm.8x", "it_J7OyNf9idfImLIFo"],
    ["h100", "it_5ECSoHQjLBzrp5YM"],
    ["8xh100", "it_5ECSoHQjLBzrp5YM"],
  ])("refuses the name %s and names its FID %s", (name, fid) => {
    const p = problem(() => checkInstanceTypeFid("instance_type", name));
    expect(p.status).toBe(422);
    expect(p.message).toContain(fid);
    expect(p.details?.allowed_values).toContain(fid);
  });
  it("refuses an unknown FID, pointing to the catalog", () => {
    expect(problem(() => checkInstanceTypeFid("instance_type", "it_nope")).message).toMatch(/GET \/v2\/instance-types/);
  });
  it("accepts a FID", () => expect(checkInstanceTypeFid("instance_type", "it_XqgKWbhZ5gznAYsG")).toBe("it_XqgKWbhZ5gznAYsG"));
});

describe("checkProject", () => {
  const state = initialState(3, 0);
  const fid = Object.keys(state.projects)[0];
  it("accepts the project FID", () => expect(checkProject(state, "project", fid).fid).toBe(fid));
  it("refuses the project name with its FID as the hint", () => {
    expect(problem(() => checkProject(state, "project", "my-project")).message).toContain(`is project ${fid}`);
  });
  it("refuses an unknown project", () => {
    expect(problem(() => checkProject(state, "project", "proj_nope")).details?.allowed_values).toEqual([fid]);
  });
});

describe("request bodies", () => {
  it("says 400 for an empty body and 422 for a body that is not an object", () => {
    expect(problem(() => requireObject(undefined)).status).toBe(400);
    expect(problem(() => requireObject([1])).message).toMatch(/not an array/);
  });
  it("names the right field for a known mistake, and lists the fields for an unknown one", () => {
    const known = problem(() => rejectUnknownFields({ price: "$1.00" }, ["limit_price"], { price: "Use limit_price" }));
    expect(known.message).toBe("Use limit_price");
    const unknown = problem(() => rejectUnknownFields({ colour: "red" }, ["limit_price", "name"]));
    expect(unknown.message).toMatch(/takes: limit_price, name/);
  });
});
