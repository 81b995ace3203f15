// `flow volumes list|create|delete`.
import { Option, type Command } from "commander";
import { withFlow, parseIntOption } from "../context";
import { age, printJson, println, table } from "../output";

export function registerVolumes(program: Command): void {
  const volumes = program.command("volumes").description("list, create and delete volumes");
  volumes
    .command("list")
    .option("--json", "print JSON")
    .action(async (o: { json?: boolean }, cmd: Command) => {
      await withFlow(cmd, async (flow) => {
        const list = await flow.client.listVolumes();
        if (o.json) return printJson(list);
        println(
          table(list, [
            { header: "ID", value: (v) => v.fid },
            { header: "NAME", value: (v) => v.name ?? "-" },
            { header: "SIZE", value: (v) => `${v.sizeGb} GB`, align: "right" },
            { header: "INTERFACE", value: (v) => v.interface },
            { header: "REGION", value: (v) => v.region ?? "-" },
            { header: "STATUS", value: (v) => v.status },
            { header: "AGE", value: (v) => age(v.createdAt), align: "right" },
          ]),
        );
      });
    });
  volumes
    .command("create")
    .requiredOption("--size <gb>", "size in GB", parseIntOption("--size"))
    .requiredOption("--name <name>", "volume name")
    .addOption(new Option("--interface <kind>", "block or file").choices(["block", "file"]).default("block"))
    .option("--json", "print JSON")
    .action(async (o: { size: number; name: string; interface: "block" | "file"; json?: boolean }, cmd: Command) => {
      await withFlow(cmd, async (flow) => {
        const region = cmd.optsWithGlobals<{ region?: string }>().region;
        const v = await flow.client.createVolume({ name: o.name, sizeGb: o.size, interface: o.interface, region });
        if (o.json) return printJson(v);
        println(`created ${v.fid} (${v.name}, ${v.sizeGb} GB ${v.interface})`);
      });
    });
  volumes
    .command("delete")
    .argument("<ids...>", "volume ids")
    .action(async (ids: string[], _o: unknown, cmd: Command) => {
      await withFlow(cmd, async (flow) => {
        for (const id of ids) println((await flow.client.deleteVolume(id)) ? `deleted ${id}` : `${id} was already gone`);
      });
    });
}
