// The shape every API and admin route shares.
import type { Store } from "./store";

export interface ApiRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The parsed JSON body; `undefined` when there was none. */
  body: unknown;
}

export interface ApiResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface ApiContext {
  store: Store;
}

export type ApiHandler = (req: ApiRequest, ctx: ApiContext) => Promise<ApiResponse>;

export function ok(body: unknown): ApiResponse {
  return { status: 200, body };
}
