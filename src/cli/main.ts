#!/usr/bin/env node
// `flow`: parses the command line, runs the command, maps failures to exit codes (see exit-codes.ts).
import { CommanderError } from "commander";
import { buildProgram } from "./program";
import { EXIT, exitCodeOf } from "./exit-codes";
import { errorJson, formatError } from "./output";

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? 0 : EXIT.usage;
      return;
    }
    if (argv.includes("--json")) process.stdout.write(`${JSON.stringify(errorJson(e), null, 2)}\n`);
    process.stderr.write(`${formatError(e)}\n`);
    process.exitCode = exitCodeOf(e);
  }
}

process.on("SIGINT", () => {
  // Commands that stream (logs -f) handle Ctrl-C themselves; anything else stops here.
  if (process.listenerCount("SIGINT") === 1) process.exit(EXIT.interrupted);
});

void main(process.argv);
