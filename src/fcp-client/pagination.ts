// Cursor pagination (`{data, next_cursor}`, or a bare array as one page) behind one object that
// is both awaitable (all items) and async-iterable (item by item, page by page).
import { ProviderError } from "../fcp-api/errors";

export interface Page<T> {
  data: T[];
  nextCursor?: string;
}

export type PageFetcher<T> = (cursor: string | undefined) => Promise<Page<T>>;

export interface PaginationOptions {
  /** Safety cap: a listing longer than this is a server fault, not data. @default 1000 */
  maxPages?: number;
  /** For error messages, e.g. "GET /v2/spot/bids". */
  what?: string;
}

export const DEFAULT_MAX_PAGES = 1000;

/**
 * A listing: `await list` gives every item, `for await (const x of list)` streams them, and
 * `list.pages()` streams pages. Awaiting twice reuses the first result; iterating starts afresh.
 */
export class PagedList<T> implements AsyncIterable<T>, PromiseLike<T[]> {
  private all?: Promise<T[]>;

  constructor(
    private readonly fetchPage: PageFetcher<T>,
    private readonly options: PaginationOptions = {},
  ) {}

  async *pages(): AsyncGenerator<Page<T>, void, undefined> {
    const maxPages = this.options.maxPages ?? DEFAULT_MAX_PAGES;
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (let n = 0; ; n++) {
      if (n >= maxPages) {
        throw new ProviderError(`${this.options.what ?? "The listing"} did not end after ${maxPages} pages.`, {
          errorCode: "PAGINATION_LIMIT",
          suggestions: ["Narrow the listing with a filter, or raise maxPages if this many pages is real."],
        });
      }
      const page = await this.fetchPage(cursor);
      yield page;
      if (!page.nextCursor) return;
      if (seen.has(page.nextCursor)) {
        throw new ProviderError(
          `${this.options.what ?? "The listing"} returned the cursor ${JSON.stringify(page.nextCursor)} twice; stopping instead of looping.`,
          { errorCode: "PAGINATION_LOOP" },
        );
      }
      seen.add(page.nextCursor);
      cursor = page.nextCursor;
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for await (const page of this.pages()) yield* page.data;
  }

  /** Every item of every page. */
  toArray(): Promise<T[]> {
    this.all ??= (async () => {
      const out: T[] = [];
      for await (const page of this.pages()) out.push(...page.data);
      return out;
    })();
    return this.all;
  }

  then<R1 = T[], R2 = never>(
    onfulfilled?: ((value: T[]) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.toArray().then(onfulfilled, onrejected);
  }

  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T[] | R> {
    return this.toArray().catch(onrejected);
  }
}
