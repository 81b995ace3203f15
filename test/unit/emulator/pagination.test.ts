import { paginate, readLimit } from "../../../src/emulator/pagination";
import { ApiProblem } from "../../../src/emulator/problem";

const items = Array.from({ length: 7 }, (_, i) => ({ seq: (i + 1) * 10 }));

function q(params: Record<string, string>): URLSearchParams {
  return new URLSearchParams(params);
}

describe("paginate", () => {
  it("walks every item once, in creation order, with opaque cursors", () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const params: Record<string, string> = { limit: "3" };
      if (cursor) params.next_cursor = cursor;
      const page = paginate(items, q(params), "bids");
      seen.push(...page.items.map((i) => i.seq));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(seen).toEqual(items.map((i) => i.seq));
    expect(pages).toBe(3);
  });

  it("gives no cursor on the last page, even when it is exactly full", () => {
    expect(paginate(items.slice(0, 3), q({ limit: "3" }), "bids").nextCursor).toBeNull();
  });

  it("does not shift pages when items are added while paging", () => {
    const first = paginate(items, q({ limit: "2" }), "bids");
    const grown = [{ seq: 1 }, ...items, { seq: 99 }];
    const second = paginate(grown, q({ limit: "2", next_cursor: first.nextCursor! }), "bids");
    expect(second.items.map((i) => i.seq)).toEqual([30, 40]);
  });

  it.each([["garbage"], [Buffer.from("instances:10").toString("base64url")]])("refuses the cursor %s with a 422", (cursor) => {
    expect(() => paginate(items, q({ next_cursor: cursor }), "bids")).toThrow(ApiProblem);
    expect(() => paginate(items, q({ next_cursor: cursor }), "bids")).toThrow(/not a cursor from this listing/);
  });
});

describe("readLimit", () => {
  it.each([["0"], ["1001"], ["abc"], ["2.5"], ["-1"]])("refuses limit=%s", (limit) => {
    expect(() => readLimit(q({ limit }))).toThrow(/limit must be a whole number from 1 to 1000/);
  });
  it("defaults to 100", () => expect(readLimit(q({}))).toBe(100));
});
