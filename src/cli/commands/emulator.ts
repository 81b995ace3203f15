// `flow emulator [options]`: runs `fcp-emulator` (same options; see `flow emulator --help`).
import { spawn } from "node:child_process";
import * as path from "node:path";
import type { Command } from "commander";

export function registerEmulator(program: Command): void {
  program
    .command("emulator")
    .description("start the local FCP emulator (fcp-emulator); options pass through")
    .allowUnknownOption()
    .helpOption(false)
    .argument("[args...]")
    .action(async (args: string[]) => {
      const bin = path.join(__dirname, "..", "..", "emulator", "cli.js");
      const child = spawn(process.execPath, [bin, ...args], { stdio: "inherit" });
      for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => child.kill(sig));
      process.exitCode = await new Promise<number>((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal ? 130 : 1))));
    });
}
