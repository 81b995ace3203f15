// `flow cancel <task...> [--yes]`: asks first on a terminal; without a terminal --yes is required.
import type { Command } from "commander";
import { withFlow } from "../context";
import { UsageError } from "../exit-codes";
import { printJson, println } from "../output";
import { confirm } from "../prompt";

export function registerCancel(program: Command): void {
  program
    .command("cancel")
    .description("cancel tasks (asks first unless --yes)")
    .argument("<tasks...>", "task names or ids")
    .option("-y, --yes", "do not ask")
    .option("--json", "print JSON")
    .action(async (tasks: string[], o: { yes?: boolean; json?: boolean }, cmd: Command) => {
      await withFlow(cmd, async (flow) => {
        const handles = [];
        for (const t of tasks) handles.push(await flow.get(t));
        if (!o.yes) {
          if (!process.stdin.isTTY) throw new UsageError("flow cancel asks before cancelling; without a terminal, pass --yes.", [`flow cancel ${tasks.join(" ")} --yes`]);
          const list = handles.map((h) => `${h.name} (${h.id}, ${h.status}, ${h.hourlyCost}/h)`).join(", ");
          if (!(await confirm(`Cancel ${list}?`))) {
            println("Nothing cancelled.");
            return;
          }
        }
        const results = [];
        for (const h of handles) {
          const cancelled = await h.cancel();
          results.push({ id: h.id, name: h.name, cancelled, status: h.status });
          if (!o.json) println(cancelled ? `cancelled ${h.name} (${h.id})` : `${h.name} (${h.id}) was already ended`);
        }
        if (o.json) printJson(results);
      });
    });
}
