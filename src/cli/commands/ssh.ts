// `flow ssh <task> [--node N] [-- cmd...]`: an interactive pty (window changes forwarded), or one
// command whose exit code becomes flow's.
import type { Command } from "commander";
import { applyIdentity, IDENTITY_FLAGS, IDENTITY_HELP } from "../identity";
import { withFlow, parseIntOption } from "../context";

export function registerSsh(program: Command): void {
  program
    .command("ssh")
    .description("a shell on a task's node, or run a command there (exit code is the remote one)")
    .argument("<task>", "task name or id")
    .argument("[command...]", "after --: the command to run")
    .option("--node <n>", "node index", parseIntOption("--node"), 0)
    .option("-t, --tty", "allocate a pty for the command too")
    .option(IDENTITY_FLAGS, IDENTITY_HELP)
    .action(async (task: string, command: string[], o: { node: number; tty?: boolean; identity?: string }, cmd: Command) => {
      const code = await withFlow(cmd, async (flow) => {
        const h = applyIdentity(await flow.get(task), o.identity);
        const line = command.join(" ");
        if (line && !o.tty) {
          return h.sshStream({ node: o.node, command: line, stdout: process.stdout, stderr: process.stderr });
        }
        return interactive(h, o.node, line || undefined);
      });
      process.exitCode = code;
    });
}

async function interactive(h: import("../../sdk/task-handle").TaskHandle, node: number, command: string | undefined): Promise<number> {
  const stdin = process.stdin;
  const raw = stdin.isTTY;
  if (raw) stdin.setRawMode(true);
  stdin.resume();
  try {
    return await h.shell({
      node,
      command,
      term: process.env.TERM,
      rows: process.stdout.rows ?? 24,
      cols: process.stdout.columns ?? 80,
      input: stdin,
      output: process.stdout,
      errorOutput: process.stderr,
      onResize: (resize) => {
        const listener = () => resize(process.stdout.rows ?? 24, process.stdout.columns ?? 80);
        process.stdout.on("resize", listener);
        return () => process.stdout.off("resize", listener);
      },
    });
  } finally {
    if (raw) stdin.setRawMode(false);
    stdin.pause();
  }
}
