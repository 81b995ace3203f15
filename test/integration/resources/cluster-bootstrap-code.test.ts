// Code too large for the startup script goes over SFTP: a 2 MB tree of random bytes (it does not
// compress) arrives byte for byte on every node of a cluster, and on a single node, which gets a
// bootstrap only because of its code. The bids' scripts hold the package's sha256, not the package.
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Task } from "../../../src/resources/task";
import { packageCode } from "../../../src/startup/package-code";
import { runOverSsh } from "../../fixtures/bootstrap/ssh";
import { fcpStack, liveBids, type FcpStack } from "../../fixtures/resources/fcp-stack";

jest.setTimeout(600_000);

const FILES: Record<string, Buffer> = {
  "data/blob-a.bin": randomBytes(1_500_000),
  "data/nested/blob-b.bin": randomBytes(500_000),
  "run.sh": Buffer.from("#!/bin/bash\nsha256sum data/blob-a.bin data/nested/blob-b.bin > /workspace/sums.txt\n"),
};
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

let codeDir: string;
beforeAll(() => {
  codeDir = mkdtempSync(path.join(tmpdir(), "fcp-big-code-"));
  for (const [name, bytes] of Object.entries(FILES)) {
    mkdirSync(path.dirname(path.join(codeDir, name)), { recursive: true });
    writeFileSync(path.join(codeDir, name), bytes);
  }
});
afterAll(() => rmSync(codeDir, { recursive: true, force: true }));

const program = (numInstances: number) => async () => {
  const task = new Task("bigcode", {
    instanceType: "a100",
    region: "us-central1-a",
    numInstances,
    maxPricePerHour: 3,
    codeDir,
    command: ["bash", "run.sh"],
  });
  return { nodes: task.nodes, privateKey: task.privateKey, startupScriptBytes: task.startupScriptBytes };
};

async function expectCodeOnEveryNode(s: FcpStack, numInstances: number): Promise<void> {
  const packaged = await packageCode(codeDir);
  expect(packaged.bytes.length).toBeGreaterThan(2_000_000);
  const result = await s.engine.up(program(numInstances));
  const nodes = result.outputs.nodes.value as Array<{ host: string; state: string }>;
  const key = result.outputs.privateKey.value as string;
  expect(nodes).toHaveLength(numInstances);
  expect(nodes.every((n) => n.state === "ready")).toBe(true);
  expect(result.ops.some((o) => o.type === "pulumi-nodejs:dynamic/fcp:ClusterBootstrap" && o.op === "create")).toBe(true);
  const [bid] = await liveBids(s.client);
  expect(bid.startupScript!.length).toBeLessThanOrEqual(10_000);
  expect(bid.startupScript).toContain(packaged.sha256);
  for (const node of nodes) {
    const out = await runOverSsh(
      node.host,
      key,
      "for i in $(seq 1200); do [ -s /workspace/sums.txt ] && break; sleep 0.1; done; cat /workspace/sums.txt; sha256sum /workspace/run.sh; sha256sum /var/lib/flow/code.tgz",
    );
    expect(out).toContain(`${sha(FILES["data/blob-a.bin"])}  data/blob-a.bin`);
    expect(out).toContain(`${sha(FILES["data/nested/blob-b.bin"])}  data/nested/blob-b.bin`);
    expect(out).toContain(`${sha(FILES["run.sh"])}  /workspace/run.sh`);
    expect(out).toContain(`${packaged.sha256}  /var/lib/flow/code.tgz`);
  }
  await s.engine.destroy();
  expect(await liveBids(s.client)).toEqual([]);
}

test("a 2 MB random tree arrives byte for byte on both nodes of a cluster", async () => {
  const s = await fcpStack({ emulator: { instances: "sandbox", provisionSeconds: 0.3 } });
  try {
    await expectCodeOnEveryNode(s, 2);
  } finally {
    await s.close();
  }
});

test("a single node with the same code gets a bootstrap only for the upload, and the same bytes", async () => {
  const s = await fcpStack({ emulator: { instances: "sandbox", provisionSeconds: 0.3 } });
  try {
    await expectCodeOnEveryNode(s, 1);
  } finally {
    await s.close();
  }
});

test("a cluster whose code is under the inline budget still gets it over SFTP when the script would be too large with it", async () => {
  const small = mkdtempSync(path.join(tmpdir(), "fcp-small-code-"));
  const s = await fcpStack({ emulator: { instances: "sandbox", provisionSeconds: 0.3 } });
  try {
    const blob = randomBytes(5_000);
    writeFileSync(path.join(small, "blob.bin"), blob);
    const packaged = await packageCode(small);
    expect(packaged.bytes.length).toBeLessThan(6_000);
    // Random values, so the compressed form cannot save the inline script either.
    const env = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`PAD_${i}`, randomBytes(300).toString("base64")]));
    const result = await s.engine.up(async () => {
      const task = new Task("padded", { instanceType: "a100", region: "us-central1-a", numInstances: 2, maxPricePerHour: 3, codeDir: small, env, command: ["sha256sum", "blob.bin"] });
      return { nodes: task.nodes, privateKey: task.privateKey };
    });
    const [bid] = await liveBids(s.client);
    expect(bid.startupScript).toContain(packaged.sha256);
    expect(bid.startupScript).not.toContain("FLOW_EOF");
    for (const node of result.outputs.nodes.value as Array<{ host: string }>) {
      expect(await runOverSsh(node.host, result.outputs.privateKey.value as string, "for i in $(seq 1200); do [ -s /workspace/blob.bin ] && break; sleep 0.1; done; sha256sum /workspace/blob.bin")).toContain(sha(blob));
    }
    await s.engine.destroy();
  } finally {
    await s.close();
    rmSync(small, { recursive: true, force: true });
  }
});
