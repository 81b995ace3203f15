// `flow status [task]`: a table of tasks (active ones and those of the last 24 hours, or --all),
// or one task's details.
import type { Command } from "commander";
import { TERMINAL_TASK_STATUSES } from "../../sdk/task-status";
import type { TaskHandle } from "../../sdk/task-handle";
import { applyIdentity, IDENTITY_FLAGS, IDENTITY_HELP } from "../identity";
import { withFlow } from "../context";
import { age, printJson, println, table } from "../output";

export function registerStatus(program: Command): void {
  program
    .command("status")
    .description("list tasks (active, and the last 24 hours), or show one")
    .argument("[task]", "task name or id")
    .option("--all", "every task, however old")
    .option(IDENTITY_FLAGS, IDENTITY_HELP)
    .option("--json", "print JSON")
    .action(async (task: string | undefined, o: { all?: boolean; json?: boolean; identity?: string }, cmd: Command) => {
      await withFlow(cmd, async (flow) => {
        if (task) {
          const h = applyIdentity(await flow.get(task), o.identity);
          if (o.identity) await h.refresh();
          if (o.json) return printJson(h.toJSON());
          return printOne(h);
        }
        const since = Date.now() - 24 * 3600_000;
        const all = await flow.list();
        const shown = o.all ? all : all.filter((h) => !TERMINAL_TASK_STATUSES.includes(h.status) || Date.parse(h.createdAt ?? "") >= since);
        if (o.json) return printJson(shown.map((h) => h.toJSON()));
        if (!shown.length) return println("No tasks. Start one with `flow run task.yaml`.");
        println(
          table(shown, [
            { header: "NAME", value: (h) => h.name },
            { header: "ID", value: (h) => h.id },
            { header: "STATUS", value: (h) => h.status },
            { header: "NODES", value: (h) => `${h.instances.length}/${h.bid.instanceQuantity}`, align: "right" },
            { header: "COST/H", value: (h) => h.hourlyCost, align: "right" },
            { header: "AGE", value: (h) => age(h.createdAt), align: "right" },
          ]),
        );
      });
    });
}

function printOne(h: TaskHandle): void {
  println(`name:     ${h.name}`);
  println(`id:       ${h.id}`);
  println(`status:   ${h.status} (bid ${h.bid.status})`);
  println(`nodes:    ${h.instances.length}/${h.bid.instanceQuantity}`);
  println(`cost:     ${h.hourlyCost}/h at most`);
  println(`age:      ${age(h.createdAt)}`);
  h.instances.forEach((inst, i) => {
    const node = h.nodes[i];
    println(`node ${i}:   ${inst.fid}  ${inst.status}  ${inst.sshHost ?? "-"}:${inst.sshPort ?? "-"}${node ? `  script ${node.status} (step ${node.step}${node.exit_code !== null ? `, exit ${node.exit_code}` : ""})` : ""}`);
  });
  if (h.instances.length) println(`ssh:      flow ssh ${h.name}`);
}
