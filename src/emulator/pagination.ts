// `{data, next_cursor}` pages over records in creation order. The cursor is the position after
// the last record shown, so records created while a client pages never shift what it sees.
import { invalid } from "./problem";

export const DEFAULT_PAGE_LIMIT = 100;
export const MAX_PAGE_LIMIT = 1000;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function readLimit(query: URLSearchParams): number {
  const raw = query.get("limit");
  if (raw === null) return DEFAULT_PAGE_LIMIT;
  const limit = Number(raw);
  if (!/^\d+$/.test(raw) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw invalid("limit", raw, `limit must be a whole number from 1 to ${MAX_PAGE_LIMIT}; got ${JSON.stringify(raw)}.`);
  }
  return limit;
}

export function paginate<T extends { seq: number }>(items: readonly T[], query: URLSearchParams, kind: string): Page<T> {
  const limit = readLimit(query);
  const cursor = query.get("next_cursor") ?? query.get("cursor");
  const after = cursor === null || cursor === "" ? 0 : decodeCursor(cursor, kind);
  const sorted = items.filter((i) => i.seq > after).sort((a, b) => a.seq - b.seq);
  const page = sorted.slice(0, limit);
  const more = sorted.length > limit;
  return { items: page, nextCursor: more ? encodeCursor(kind, page[page.length - 1].seq) : null };
}

function encodeCursor(kind: string, seq: number): string {
  return Buffer.from(`${kind}:${seq}`).toString("base64url");
}

function decodeCursor(cursor: string, kind: string): number {
  const m = /^([a-z_]+):(\d+)$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!m || m[1] !== kind) {
    throw invalid("next_cursor", cursor, `next_cursor ${JSON.stringify(cursor)} is not a cursor from this listing; pass the next_cursor of the previous page unchanged.`);
  }
  return Number(m[2]);
}
