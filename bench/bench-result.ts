// One measured figure of a benchmark, with its target when it has one.
export type BenchResult = { name: string; value: number; unit: string; target?: string; ok?: boolean };
