// One command over SSH on a deployed node (ssh2's client), to show that the instance booted and
// its startup script ran: what a user does with the stack's ssh command and private key.
import { Client } from "ssh2";
import type { RunningEmulator } from "pulumi-fcp/emulator";
import { line } from "./print";

export function runOverSsh(host: string, privateKey: string, command: string): Promise<string> {
  const [address, port] = host.split(":");
  return new Promise((resolve, reject) => {
    const client = new Client();
    client
      .on("ready", () =>
        client.exec(command, (err, channel) => {
          if (err) return reject(err);
          let out = "";
          channel.on("data", (d: Buffer) => (out += d.toString("utf8")));
          channel.on("close", () => {
            client.end();
            resolve(out.trim());
          });
        }),
      )
      .on("error", reject)
      .connect({ host: address, port: Number(port), username: "ubuntu", privateKey, readyTimeout: 20_000 });
  });
}

/** Prints node 0's status.json, read over SSH, when the emulator boots instances. */
export async function peekOverSsh(emulator: RunningEmulator, hosts: readonly string[], privateKey: string): Promise<void> {
  if (emulator.instances.mode !== "sandbox" || hosts.length === 0) {
    line(`over SSH: skipped (${emulator.instances.note})`);
    return;
  }
  const status = await runOverSsh(hosts[0], privateKey, "cat /var/lib/flow/status.json");
  line(`over SSH:     ubuntu@${hosts[0]}: cat /var/lib/flow/status.json → ${status}`);
}
