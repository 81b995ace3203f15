// Counts of API requests per "METHOD /path/template" and per answer, so a test can say "this
// update cost exactly one PATCH".

export interface RequestCounts {
  total: number;
  /** "PATCH /v2/spot/bids/{fid}" → how many requests. */
  counts: Record<string, number>;
  /** "PATCH /v2/spot/bids/{fid} 200" → how many answers; "dropped" when the connection was cut. */
  responses: Record<string, number>;
}

export class RequestLog {
  private total = 0;
  private counts = new Map<string, number>();
  private responses = new Map<string, number>();

  record(key: string): void {
    this.total += 1;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  answered(key: string, outcome: number | "dropped"): void {
    const k = `${key} ${outcome}`;
    this.responses.set(k, (this.responses.get(k) ?? 0) + 1);
  }

  snapshot(): RequestCounts {
    return { total: this.total, counts: Object.fromEntries(this.counts), responses: Object.fromEntries(this.responses) };
  }

  clear(): void {
    this.total = 0;
    this.counts.clear();
    this.responses.clear();
  }
}
