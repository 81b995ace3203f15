// `npm run bench [client|emulator|startup|provider|bootstrap...]`: the benchmarks in one run, printed as a
// table of figures and targets.
// Figures are measured here and now, on this machine; no test asserts a time.
import type { BenchResult } from "./bench-result";

const BENCHES: Record<string, () => Promise<{ run(): Promise<BenchResult[]> }>> = {
  client: () => import("./client.bench"),
  emulator: () => import("./emulator.bench"),
  startup: () => import("./startup.bench"),
  provider: () => import("./provider.bench"),
  scale: () => import("./scale.bench"),
  bootstrap: () => import("./bootstrap.bench"),
};

async function main(): Promise<number> {
  const only = process.argv.slice(2);
  let failed = 0;
  for (const [name, load] of Object.entries(BENCHES)) {
    if (only.length && !only.includes(name)) continue;
    console.log(`\n${name}`);
    const results = await (await load()).run();
    for (const r of results) {
      const verdict = r.ok === undefined ? "" : r.ok ? "  ok" : "  MISSED";
      if (r.ok === false) failed += 1;
      const value = Number.isInteger(r.value) ? String(r.value) : r.value.toFixed(3);
      console.log(`  ${r.name.padEnd(64)} ${value.padStart(10)} ${r.unit.padEnd(10)} ${r.target ? `target ${r.target}` : ""}${verdict}`);
    }
  }
  console.log(failed ? `\n${failed} target(s) missed` : "\nall targets met");
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
