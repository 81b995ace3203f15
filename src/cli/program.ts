// The `flow` program: global options, one command per file under commands/.
import { Command } from "commander";
import { registerCancel } from "./commands/cancel";
import { registerCatalog } from "./commands/catalog";
import { registerEmulator } from "./commands/emulator";
import { registerInit } from "./commands/init";
import { registerKeys } from "./commands/keys";
import { registerLogs } from "./commands/logs";
import { registerRun } from "./commands/run";
import { registerSsh } from "./commands/ssh";
import { registerStatus } from "./commands/status";
import { registerVolumes } from "./commands/volumes";

export function buildProgram(): Command {
  const program = new Command()
    .name("flow")
    .description("Run, watch, debug and cancel FCP GPU tasks from a terminal.")
    .option("--api-url <url>", "FCP API URL (FCP_API_URL)")
    .option("--project <project>", "project name or id (FCP_PROJECT)")
    .option("--region <region>", "region (FCP_REGION)")
    .showHelpAfterError()
    .addHelpText(
      "after",
      "\nExit codes: 0 ok, 1 error, 2 usage, 3 auth, 4 not found, 5 API, 6 timeout, 130 interrupted;\n`flow ssh TASK -- cmd` exits with the remote command's code.",
    );
  for (const register of [registerInit, registerRun, registerStatus, registerLogs, registerSsh, registerCancel, registerCatalog, registerVolumes, registerKeys, registerEmulator]) {
    register(program);
  }
  program.exitOverride();
  program.configureOutput({ outputError: (text, write) => write(text) });
  return program;
}
