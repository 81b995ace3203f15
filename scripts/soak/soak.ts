// `npm run soak`: creates and destroys N bids, volumes and keys through FcpClient and through
// the Pulumi resources (several LocalEngines at once) under seeded faults, with kill -9 and
// restart of the emulator mid-run, and prints the table. Exits 1 unless every count is 0.
import { Command, InvalidArgumentError } from "commander";
import { allZero, formatReport, runSoak } from "./run-soak";

function whole(name: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min) throw new InvalidArgumentError(`${name} must be a whole number of at least ${min}.`);
    return n;
  };
}

function rate(value: string): number {
  const n = Number(value.endsWith("%") ? value.slice(0, -1) : value) / (value.endsWith("%") ? 100 : 1);
  if (!Number.isFinite(n) || n < 0 || n >= 1) throw new InvalidArgumentError('must be a share from 0 to below 1 (0.2) or a percentage ("20%").');
  return n;
}

async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name("soak")
    .description("Money-safety soak: no duplicate, no orphan, no lost write under faults and kill -9.")
    .option("-n, --bids <n>", "bids through the client", whole("--bids", 1), 1000)
    .option("--volumes <n>", "volumes through the client (default: bids / 10)", whole("--volumes", 0))
    .option("--keys <n>", "SSH keys through the client (default: bids / 10)", whole("--keys", 0))
    .option("--rate <share>", "share of API requests that meet a fault: 0.2 or 20%", rate, 0.2)
    .option("--seed <n>", "seed for faults and the emulator's ids", whole("--seed", 0), 12)
    .option("--engines <n>", "LocalEngines running at once", whole("--engines", 1), 3)
    .option("--bids-per-engine <n>", "SpotBids in each engine's stack", whole("--bids-per-engine", 1), 10)
    .option("--attempts <n>", "tries per create, delete, up or destroy", whole("--attempts", 1), 5)
    .showHelpAfterError();
  program.parse(argv);
  const o = program.opts<{ bids: number; volumes?: number; keys?: number; rate: number; seed: number; engines: number; bidsPerEngine: number; attempts: number }>();
  const report = await runSoak({
    ...o,
    volumes: o.volumes ?? Math.ceil(o.bids / 10),
    keys: o.keys ?? Math.ceil(o.bids / 10),
    log: (line) => console.error(`soak: ${line}`),
  });
  console.log(formatReport(report));
  process.exitCode = allZero(report.verdict) ? 0 : 1;
}

main(process.argv).catch((err: unknown) => {
  console.error(`soak failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 2;
});
