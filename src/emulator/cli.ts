#!/usr/bin/env node
// fcp-emulator: the command. The first stdout line is exactly
// `fcp-emulator listening on http://HOST:PORT`, so scripts can wait for it and read the URL.
import { Command, InvalidArgumentError, Option } from "commander";
import { startEmulator } from "./server";
import { DEV_API_KEY, EMULATOR_PROJECT_NAME } from "./initial-state";
import { DIALECT_ENV, EMULATOR_DIALECTS, resolveDialect, type EmulatorDialect } from "./dialects/dialect";

function integer(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}.`);
    return n;
  };
}

function seconds(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError("must be a non-negative number of seconds.");
  return n;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name("fcp-emulator")
    .description("A local FCP v2 API with a spot market, for trying stacks and running tests without an account or money.")
    .option("--port <port>", "port to listen on (0 picks a free one)", integer("--port", 0, 65535), 8787)
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--state <file>", "save state to this JSON file (atomically, before every answer); without it state is in memory")
    .addOption(
      new Option("--api-key <key>", "accepted bearer key, repeatable; keys in FCP_EMULATOR_API_KEYS (comma-separated) are added")
        .argParser(collect)
        .default([], `the development key ${DEV_API_KEY}`),
    )
    .addOption(
      new Option("--dialect <dialect>", "wire dialect: seed (the seed's FCP v2 reference) or mithril (the live Mithril OpenAPI)")
        .choices([...EMULATOR_DIALECTS])
        .default(undefined, `${DIALECT_ENV}, else seed`),
    )
    .option("--provision-seconds <n>", "emulator seconds from allocation to running", seconds, 2)
    .option("--seed <n>", "seed for FIDs and injected faults", integer("--seed", 0, 2 ** 31 - 1))
    .addOption(new Option("--instances <runtime>", "sandbox: running instances boot (startup script, own 127.0.0.N, real SSH); none: nothing boots").choices(["sandbox", "none"]).default(undefined, "sandbox where namespaces work (root on Linux), else none"))
    .option("--max-booted <n>", "the most instances booted at once", integer("--max-booted", 0, 1000), 16)
    .option("--no-admin", "do not serve the admin API under /_emulator/")
    .option("--verbose", "log one line per request to stderr (never headers or bodies)")
    .showHelpAfterError();
  program.parse(argv);
  const opts = program.opts<{
    port: number;
    host: string;
    state?: string;
    apiKey: string[];
    provisionSeconds: number;
    seed?: number;
    admin: boolean;
    verbose?: boolean;
    instances?: "sandbox" | "none";
    maxBooted: number;
    dialect?: EmulatorDialect;
  }>();
  const dialect = resolveDialect(opts.dialect);

  // Keys from the environment stay out of `ps` output.
  const envKeys = (process.env.FCP_EMULATOR_API_KEYS ?? "")
    .split(",")
    .map((k) => k.trim())
    .filter((k) => k.length > 0);
  const apiKeys = [...opts.apiKey, ...envKeys];

  const emulator = await startEmulator({
    port: opts.port,
    host: opts.host,
    statePath: opts.state,
    apiKeys,
    provisionSeconds: opts.provisionSeconds,
    seed: opts.seed,
    admin: opts.admin,
    instances: opts.instances,
    maxBooted: opts.maxBooted,
    dialect,
    log: opts.verbose ? (line) => process.stderr.write(`${line}\n`) : undefined,
  });
  process.stdout.write(`fcp-emulator listening on ${emulator.url}\n`);
  const keyNote = apiKeys.length === 0 ? `the development key ${DEV_API_KEY}` : `${apiKeys.length} API key(s) given at start`;
  process.stdout.write(`  accepting ${keyNote}; project "${EMULATOR_PROJECT_NAME}" is ${emulator.projectFid}\n`);
  process.stdout.write(`  dialect: ${dialect}${dialect === "seed" ? " (--dialect mithril serves the live Mithril API's shapes)" : " (the live Mithril OpenAPI)"}\n`);
  process.stdout.write(`  state: ${opts.state ? opts.state : "in memory (use --state FILE to keep it)"}\n`);
  process.stdout.write(`  ${emulator.instances.note}\n`);
  if (opts.admin) process.stdout.write(`  admin API: ${emulator.url}/_emulator/state\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    emulator.close().then(
      () => {
        process.stderr.write(`fcp-emulator stopped (${signal})\n`);
        process.exit(0);
      },
      (err: unknown) => {
        process.stderr.write(`fcp-emulator: error while stopping: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

main(process.argv).catch((err: unknown) => {
  process.stderr.write(`fcp-emulator: ${(err as Error)?.message ?? String(err)}\n`);
  process.exit(1);
});
