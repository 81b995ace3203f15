// `{data, next_cursor}` pages in the mithril dialect: sortable (sort_by, sort_dir), at most 100 a
// page. The cursor is the position in the sorted listing.
import { FastApiValidationProblem } from "./errors";

export const MITHRIL_PAGE_LIMIT = 100;

export function mithrilPage<T>(sorted: readonly T[], kind: string, limit: unknown, cursor: unknown): { items: T[]; nextCursor: string | null } {
  const size = typeof limit === "number" ? limit : MITHRIL_PAGE_LIMIT;
  let start = 0;
  if (typeof cursor === "string" && cursor !== "") {
    const m = /^([a-z]+):(\d+)$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
    if (!m || m[1] !== kind) {
      throw new FastApiValidationProblem([
        { loc: ["query", "next_cursor"], msg: `next_cursor is not a cursor from this ${kind} listing; pass the next_cursor of the previous page unchanged.`, type: "value_error" },
      ]);
    }
    start = Number(m[2]);
  }
  const items = sorted.slice(start, start + size);
  const end = start + items.length;
  return { items, nextCursor: end < sorted.length ? Buffer.from(`${kind}:${end}`).toString("base64url") : null };
}

/** Orders records by a key; `desc` reverses. Ties keep creation order. */
export function sortRecords<T extends { seq: number }>(records: readonly T[], key: (r: T) => string | number, dir: unknown): T[] {
  const sign = dir === "desc" ? -1 : 1;
  return [...records].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return (ka < kb ? -1 : ka > kb ? 1 : 0) * sign || a.seq - b.seq;
  });
}
