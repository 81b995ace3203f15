// `flow keys list|add`: the project's SSH keys, and which of them this machine holds (~/.flow/keys).
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { KeyStore } from "../../sdk/key-store";
import { withFlow } from "../context";
import { age, printJson, println, table } from "../output";

export function registerKeys(program: Command): void {
  const keys = program.command("keys").description("list and add SSH keys");
  keys
    .command("list")
    .option("--json", "print JSON")
    .action(async (o: { json?: boolean }, cmd: Command) => {
      await withFlow(cmd, async (flow) => {
        const store = new KeyStore();
        const list = (await flow.client.listSshKeys()).map((k) => ({ ...k, local: store.find([k.fid])?.file }));
        if (o.json) return printJson(list);
        println(
          table(list, [
            { header: "ID", value: (k) => k.fid },
            { header: "NAME", value: (k) => k.name ?? "-" },
            { header: "PRIVATE KEY HERE", value: (k) => k.local ?? "-" },
            { header: "AGE", value: (k) => age(k.createdAt), align: "right" },
          ]),
        );
      });
    });
  keys
    .command("add")
    .argument("<name>", "key name")
    .argument("<public-key-file>", "e.g. ~/.ssh/id_ed25519.pub")
    .option("--json", "print JSON")
    .action(async (name: string, file: string, o: { json?: boolean }, cmd: Command) => {
      await withFlow(cmd, async (flow) => {
        const publicKey = readFileSync(file, "utf8").trim();
        const k = await flow.client.createSshKey({ name, publicKey });
        if (o.json) return printJson(k);
        println(`added ${k.fid} (${k.name})`);
      });
    });
}
