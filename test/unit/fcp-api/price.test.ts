import { ValidationError } from "../../../src/fcp-api/errors";
import { formatPrice, isWirePrice, parsePriceCents } from "../../../src/fcp-api/price";

describe("parsePriceCents", () => {
  it.each([
    ["$15.00", 1500],
    ["$15", 1500],
    ["$15.5", 1550],
    ["$0.01", 1],
    ["$0.00", 0],
    ["$12.50", 1250],
    ["$100.00", 10000],
    [" $7.25 ", 725],
    [15, 1500],
    [12.5, 1250],
    [0.1 + 0.2, 30],
    [0, 0],
  ])("%p is %d cents", (value, cents) => {
    expect(parsePriceCents(value)).toBe(cents);
  });

  it.each([
    ["15.00", /dollar string/],
    ["$-1.00", /dollar string/],
    ["-$1.00", /dollar string/],
    ["$1.234", /dollar string/],
    ["$1,000.00", /dollar string/],
    ["$", /dollar string/],
    ["", /dollar string/],
    ["$NaN", /dollar string/],
    ["USD 5", /dollar string/],
    [NaN, /finite, non-negative/],
    [Infinity, /finite, non-negative/],
    [-1, /finite, non-negative/],
    [1.005, /more precision than a cent/],
    [null, /number of dollars or a dollar string/],
    [undefined, /number of dollars or a dollar string/],
    [{ amount: 5 }, /number of dollars or a dollar string/],
  ])("rejects %p with a ValidationError", (value, message) => {
    expect(() => parsePriceCents(value, "limitPrice")).toThrow(ValidationError);
    expect(() => parsePriceCents(value, "limitPrice")).toThrow(message);
    expect(() => parsePriceCents(value, "limitPrice")).toThrow(/^Invalid limitPrice/);
  });
});

describe("formatPrice", () => {
  it.each([
    [1500, "$15.00"],
    [1, "$0.01"],
    [0, "$0.00"],
    [1234567, "$12345.67"],
  ])("%d cents is %s", (cents, text) => {
    expect(formatPrice(cents)).toBe(text);
    expect(parsePriceCents(text)).toBe(cents);
    expect(isWirePrice(text)).toBe(true);
  });
  it.each([[-1], [1.5], [NaN]])("refuses %p", (cents) => {
    expect(() => formatPrice(cents)).toThrow(ValidationError);
  });
  it("recognises only wire prices", () => {
    expect(isWirePrice("15.00")).toBe(false);
    expect(isWirePrice(15)).toBe(false);
  });
});
