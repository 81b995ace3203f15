// The cluster bootstrap on booting emulated instances: seconds from every instance `running` (FCP's
// status) to cluster-ready (cluster.env on every node) for 3 nodes, and the same with the largest
// code package the packager accepts (random bytes, so ~10 MiB gzipped) uploaded to every node.
// Calls the provider's create in this process, exactly as the plugin does.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { request } from "undici";
import { generateEd25519KeyPair } from "../src/ssh/generate-key-pair";
import { startEmulator, type RunningEmulator } from "../src/emulator";
import { create } from "../src/provider/cluster-bootstrap-provider";
import { MAX_CODE_PACKAGE_BYTES, packageCode } from "../src/startup";
import type { BenchResult } from "./bench-result";

const NODES = 3;

async function post(emu: RunningEmulator, route: string, body: unknown): Promise<{ fid: string }> {
  const res = await request(`${emu.url}${route}`, {
    method: "POST",
    headers: { authorization: `Bearer ${emu.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (res.statusCode !== 201) throw new Error(`POST ${route}: ${res.statusCode} ${await res.body.text()}`);
  return (await res.body.json()) as { fid: string };
}

interface Inst { fid: string; bid: string; status: string; ssh_destination: string | null; private_ip: string }

/** A bid of NODES instances, returned once every instance is `running` (not yet booted). */
async function runningBid(emu: RunningEmulator, keyFid: string, name: string): Promise<{ bid: string; instances: Inst[] }> {
  const bid = await post(emu, "/v2/spot/bids", {
    project: emu.projectFid, region: "us-central1-a", instance_type: "it_MsIRhxj3ccyVWGfP", limit_price: "$3.00",
    ssh_keys: [keyFid], startup_script: "#!/bin/bash\ntrue\n", name, instance_quantity: NODES,
  });
  const deadline = Date.now() + 120_000;
  for (;;) {
    const list = ((await emu.admin.state()).instances as unknown as Inst[]).filter((i) => i.bid === bid.fid);
    if (list.length === NODES && list.every((i) => i.status === "running" && i.ssh_destination && !i.ssh_destination.endsWith(":0"))) return { bid: bid.fid, instances: list };
    if (Date.now() > deadline) throw new Error("the bid did not run");
    await new Promise((r) => setImmediate(r));
  }
}

async function bootstrapSeconds(emu: RunningEmulator, privateKey: string, keyFid: string, name: string, code?: { dir: string; sha256: string; bytes: number }): Promise<number> {
  const { bid, instances } = await runningBid(emu, keyFid, name);
  const started = performance.now();
  await create({
    bidId: bid,
    instances: instances.map((i) => ({ id: i.fid, status: i.status, sshHost: i.ssh_destination!.split(":")[0], sshPort: Number(i.ssh_destination!.split(":")[1]), privateIp: i.private_ip })),
    privateKey,
    username: "ubuntu",
    numNodes: NODES,
    masterPort: 29500,
    cluster: true,
    ...(code ? { code } : {}),
    timeoutSeconds: 600,
  });
  return (performance.now() - started) / 1000;
}

export async function run(): Promise<BenchResult[]> {
  const emu = await startEmulator({ provisionSeconds: 0, instances: "sandbox" });
  const dir = mkdtempSync(path.join(tmpdir(), "bench-bootstrap-"));
  try {
    const pair = generateEd25519KeyPair("bench");
    const key = await post(emu, "/v2/ssh-keys", { project: emu.projectFid, name: "bench", public_key: pair.publicKey });
    const plain = await bootstrapSeconds(emu, pair.privateKey, key.fid, "bench-plain");
    // Just under the packager's limit once gzip's few bytes of overhead are added.
    writeFileSync(path.join(dir, "blob.bin"), randomBytes(MAX_CODE_PACKAGE_BYTES - 64 * 1024));
    const packaged = await packageCode(dir);
    const withCode = await bootstrapSeconds(emu, pair.privateKey, key.fid, "bench-code", { dir, sha256: packaged.sha256, bytes: packaged.bytes.length });
    const mib = packaged.bytes.length / 1024 / 1024;
    return [
      { name: `${NODES} nodes: running → cluster-ready (cluster.env on every node)`, value: plain, unit: "s" },
      { name: `largest code archive tried (gzipped, random bytes)`, value: mib, unit: "MiB", target: "≤ 10", ok: packaged.bytes.length <= MAX_CODE_PACKAGE_BYTES },
      { name: `${NODES} nodes: running → cluster-ready with that archive on every node`, value: withCode, unit: "s" },
      { name: `upload throughput (archive × ${NODES} nodes / time)`, value: (mib * NODES) / withCode, unit: "MiB/s" },
    ];
  } finally {
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
