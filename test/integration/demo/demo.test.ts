// `npm run demo` is the README's first command: it must run to the end, say which engine it
// used, show the outputs and the policy verdict, and leave no live bid.
import { spawn } from "node:child_process";
import * as path from "node:path";

const REPO = path.resolve(__dirname, "../../..");

// Both wire dialects: the seed's, and the live Mithril service's (where a bid stays Allocated
// while its instances run).
test.each(["seed", "mithril"])("the demo deploys, previews the PR with the policy verdict, destroys, and exits 0 (%s dialect)", async (dialect) => {
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/demo/demo.ts"], {
      cwd: REPO,
      env: { ...process.env, PULUMI_FCP_DEMO_ENGINE: "local", FCP_EMULATOR_DIALECT: dialect },
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (c) => resolve({ code: c, stdout: out, stderr: err }));
  });
  expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
  expect(stdout).toMatch(/engine: LocalEngine/);
  expect(stdout).toMatch(dialect === "seed" ? /bid: +bid_\w+ \(running, h100-80gb\.sxm\.8x\)/ : /bid: +bid_\w+ \(allocated, h100-80gb\.sxm\.8x\)/);
  expect(stdout).toMatch(/hourly cost: +\$60\.00/);
  expect(stdout.match(/ssh command: +ssh -p \d+ ubuntu@127\.0\.0\.\d+/g)).toHaveLength(2);
  expect(stdout).toMatch(/rendezvous: +rank 0 on 127\.0\.\d+\.\d+ met ranks \[1\]; ranks 1 reached it/);
  expect(stdout).toMatch(/replace +fcp:SpotBid +llama-finetune-bid +\[instanceQuantity/);
  expect(stdout).toMatch(/MANDATORY max-stack-hourly-spend: .*\$120\.00/);
  expect(stdout).toMatch(/ADVISORY hourly-spend-change: Worst-case hourly spend: \$60\.00\/h → \$120\.00\/h \(\+\$60\.00\/h\)\./);
  expect(stdout).toMatch(/live bids: 0, volumes: 0, SSH keys: 0/);
}, 180_000);
