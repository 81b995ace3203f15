// Output a person can read: headings, indented lines, a table of planned steps.

export function heading(text: string): void {
  console.log(`\n== ${text} ${"=".repeat(Math.max(0, 72 - text.length))}`);
}

export function line(text: string): void {
  console.log(`  ${text}`);
}

export interface PlannedStep {
  op: string;
  type: string;
  name: string;
  keys?: string[];
}

export function steps(list: PlannedStep[]): void {
  const shown = list.filter((s) => s.op !== "same");
  if (!shown.length) line("no changes");
  for (const s of shown) {
    const why = s.keys?.length ? `  [${s.keys.join(", ")}]` : "";
    line(`${s.op.padEnd(8)} ${s.type.replace("pulumi-nodejs:dynamic/", "").padEnd(14)} ${s.name}${why}`);
  }
}
