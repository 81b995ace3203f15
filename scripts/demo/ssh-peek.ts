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

interface DemoNode {
  rank: number;
  host: string;
  privateIp: string;
  state: string;
}

/**
 * The demo's stand-in for torchrun: every node ran workload/rendezvous.py (rank 0 listened on
 * MASTER_ADDR:MASTER_PORT, the others connected). Prints which ranks met, read over SSH.
 */
export async function showRendezvous(emulator: RunningEmulator, nodes: readonly DemoNode[], privateKey: string, readyAt: string | undefined): Promise<void> {
  if (emulator.instances.mode !== "sandbox" || nodes.length === 0) {
    line(`rendezvous:   skipped (${emulator.instances.note})`);
    return;
  }
  line(`cluster:      ${nodes.length} nodes bootstrapped over SSH${readyAt ? `, ready at ${readyAt}` : ""}`);
  for (const n of nodes) line(`node ${n.rank}:       ${n.host} (private IP ${n.privateIp}) ${n.state}`);
  const wait = "for i in $(seq 1200); do [ -s /workspace/rendezvous.json ] && break; sleep 0.1; done; cat /workspace/rendezvous.json";
  const seen = await Promise.all(nodes.map(async (n) => JSON.parse(await runOverSsh(n.host, privateKey, wait)) as { rank: number; main_ip: string; received?: number[] }));
  const main = seen.find((s) => s.rank === 0);
  line(`rendezvous:   rank 0 on ${main?.main_ip ?? "?"} met ranks [${(main?.received ?? []).join(", ")}]; ranks ${seen.filter((s) => s.rank !== 0).map((s) => s.rank).join(", ")} reached it`);
}
