// The ESLint rule that enforces ARCHITECTURE.md's import directions: it flags a wrong-way import
// and accepts the allowed ones, and the tree as it stands has no violation.
// ESLint runs as its own process (its flat config is loaded with a dynamic import Jest cannot do).
import { execFile } from "node:child_process";
import * as path from "node:path";

jest.setTimeout(180_000);

const root = path.resolve(__dirname, "../../..");
const ESLINT = path.join(root, "node_modules", "eslint", "bin", "eslint.js");

function messagesFor(file: string, code: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [ESLINT, "--format", "json", "--stdin", "--stdin-filename", path.join(root, file)], { cwd: root, timeout: 150_000 }, (err, stdout, stderr) => {
      try {
        const [result] = JSON.parse(stdout) as Array<{ messages: Array<{ ruleId: string | null; message: string }> }>;
        resolve(result.messages.map((m) => `${m.ruleId}: ${m.message}`));
      } catch {
        reject(new Error(`eslint gave no JSON (${err?.message ?? "exit 0"}): ${stderr}`));
      }
    });
    child.stdin?.end(code);
  });
}

test.each([
  ["src/emulator/probe.ts", 'import { FcpClient } from "../fcp-client/client";\nexport const x = FcpClient;\n', /src\/emulator may import only/],
  ["src/fcp-api/probe.ts", 'import { buildStartupScript } from "../startup";\nexport const x = buildStartupScript;\n', /src\/fcp-api may import only nothing else of ours/],
  ["src/testing/probe.ts", 'import { SpotBid } from "../resources/spot-bid";\nexport const x = SpotBid;\n', /src\/testing may import only src\/util/],
  ["src/startup/probe.ts", 'import { FcpClient } from "../fcp-client/client";\nexport const x = FcpClient;\n', /src\/startup may import only/],
  ["src/resources/probe.ts", 'import { WAIT_FOR } from "../provider/spot-bid-inputs";\nexport const x = WAIT_FOR;\n', /for types only/],
])("%s: a wrong-way import is an error", async (file, code, expected) => {
  const messages = await messagesFor(file, code);
  expect(messages.join("\n")).toMatch(expected);
});

test.each([
  ["src/emulator/probe.ts", 'import { parsePriceCents } from "../fcp-api/price";\nexport const x = parsePriceCents;\n'],
  ["src/provider/probe.ts", 'import { FcpClient } from "../fcp-client/client";\nexport const x = FcpClient;\n'],
  ["src/resources/probe.ts", 'import type { WaitFor } from "../provider/spot-bid-inputs";\nexport type X = WaitFor;\n'],
])("%s: an allowed import passes", async (file, code) => {
  const messages = await messagesFor(file, code);
  expect(messages.filter((m) => /no-restricted/.test(m))).toEqual([]);
});
