import { autoStartDialect, DialectState, errorBodyDialect, parseDialectSetting } from "../../../src/fcp-client/dialect";
import { APIError, ValidationAPIError, ValidationError } from "../../../src/fcp-api/errors";

const FASTAPI_422 = { detail: [{ loc: ["body", "launch_specification"], msg: "Field required", type: "missing" }] };
const SEED_422 = { error: { code: "VALIDATION_ERROR", message: "bad", details: { field: "ssh_keys" } }, request_id: "req_1" };
const refused = (body: unknown, statusCode = 422) =>
  statusCode === 422 ? new ValidationAPIError("refused", { statusCode, responseBody: body, validationErrors: [] }) : new APIError("x", { statusCode, responseBody: body });

describe("errorBodyDialect", () => {
  it.each([
    ["FastAPI request validation", FASTAPI_422, "mithril"],
    ["the seed's error body", SEED_422, "seed"],
    ["a FastAPI detail string (any handler can raise it)", { detail: "Not Found" }, undefined],
    ["an empty detail list", { detail: [] }, undefined],
    ["a detail list without loc/msg/type", { detail: [{ msg: "x" }] }, undefined],
    ["plain text", "Bad Request", undefined],
  ])("%s → %s", (_what, body, dialect) => {
    expect(errorBodyDialect(body)).toBe(dialect);
  });
});

describe("DialectState", () => {
  it("auto starts with the seed and switches once on a 422 in the live format, then back on a seed 422", () => {
    const d = new DialectState("auto");
    expect(d.dialect).toBe("seed");
    expect(d.switchOn(refused(SEED_422))).toBeUndefined();
    expect(d.switchOn(refused(FASTAPI_422))).toBe("mithril");
    expect(d.dialect).toBe("mithril");
    expect(d.switchOn(refused(FASTAPI_422))).toBeUndefined();
    expect(d.switchOn(refused(SEED_422))).toBe("seed");
  });

  it.each(["seed", "mithril"] as const)("a fixed %s setting never switches", (setting) => {
    const d = new DialectState(setting);
    expect(d.switchOn(refused(FASTAPI_422))).toBeUndefined();
    expect(d.switchOn(refused(SEED_422))).toBeUndefined();
    expect(d.dialect).toBe(setting);
  });

  it("only a 422 switches: a 400 or 500 with a FastAPI body does not (the server may have acted)", () => {
    const d = new DialectState("auto");
    expect(d.switchOn(refused(FASTAPI_422, 500))).toBeUndefined();
    expect(d.switchOn(refused(FASTAPI_422, 400))).toBeUndefined();
    expect(d.switchOn(new Error("socket hang up"))).toBeUndefined();
    expect(d.dialect).toBe("seed");
  });
});

describe("parseDialectSetting", () => {
  it.each(["auto", "seed", "mithril", " Mithril "])("accepts %j", (raw) => {
    expect(parseDialectSetting(raw, "FCP_DIALECT")).toBe(raw.trim().toLowerCase());
  });
  it("refuses anything else, naming the source and the choices", () => {
    expect(() => parseDialectSetting("live", "FCP_DIALECT")).toThrow(ValidationError);
    expect(() => parseDialectSetting("live", "FCP_DIALECT")).toThrow(/FCP_DIALECT is "live".*auto, seed or mithril/);
  });
});

describe("where auto starts", () => {
  test.each([
    ["https://api.mlfoundry.com", "mithril"],
    ["https://api.mithril.ai/", "mithril"],
    ["https://api.staging.mithril.ai", "mithril"],
    ["http://127.0.0.1:8787", "seed"],
    ["https://fcp.example.internal", "seed"],
    ["not a url", "seed"],
    [undefined, "seed"],
  ])("%s → %s", (url, dialect) => {
    expect(autoStartDialect(url)).toBe(dialect);
  });

  test("a fixed setting ignores the start; auto still switches on a 422 in the other format", () => {
    expect(new DialectState("seed", "mithril").dialect).toBe("seed");
    expect(new DialectState("auto", "mithril").dialect).toBe("mithril");
  });
});
