// `flow logs <task> [-f] [--node N] [--startup] [--tail N]`: the command's (or the startup
// script's) log over SSH; -f streams until the task ends.
import type { Command } from "commander";
import { applyIdentity, IDENTITY_FLAGS, IDENTITY_HELP } from "../identity";
import { withFlow, parseIntOption } from "../context";

export function registerLogs(program: Command): void {
  program
    .command("logs")
    .description("print a task's log; -f follows it until the task ends")
    .argument("<task>", "task name or id")
    .option("-f, --follow", "stream new lines until the task ends")
    .option("--node <n>", "node index", parseIntOption("--node"), 0)
    .option("--startup", "the startup script's log instead of the command's")
    .option("--tail <n>", "only the last N lines", parseIntOption("--tail"))
    .option(IDENTITY_FLAGS, IDENTITY_HELP)
    .action(async (task: string, o: { follow?: boolean; node: number; startup?: boolean; tail?: number; identity?: string }, cmd: Command) => {
      const abort = new AbortController();
      process.once("SIGINT", () => abort.abort());
      await withFlow(cmd, async (flow) => {
        const h = applyIdentity(await flow.get(task), o.identity);
        for await (const line of h.logs({ follow: o.follow, node: o.node, startup: o.startup, tail: o.tail, signal: abort.signal })) {
          process.stdout.write(`${line}\n`);
        }
      });
      if (abort.signal.aborted) process.exitCode = 130;
    });
}
