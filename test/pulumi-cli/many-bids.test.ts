// Waiting for many bids under the real CLI costs a bid listing and an instance listing per poll
// interval, and one required-key listing per 10 s. The CLI hands the plugin its creates one by one;
// each used to start a poll round and list the keys of its own (issue 18: 256 bids, 135 bid, 135
// instance and 198 key listings while being placed). Counted by the emulator; the bounds hold
// however slowly a loaded machine runs, since rounds start at least an interval apart.
import * as path from "node:path";
import { FcpClient, TERMINAL_BID_STATUSES, closeSharedFcpClients } from "pulumi-fcp";
import { startEmulator, type RunningEmulator } from "pulumi-fcp/emulator";
import { PulumiWorkspace, REPO_ROOT, findPulumiBin } from "./pulumi-cli";

const BIDS = 24;
const POLL_MS = 1_000;
const bin = findPulumiBin(); // throws, failing the suite, when there is no CLI

let emulator: RunningEmulator;
let client: FcpClient;
let cli: PulumiWorkspace;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, provisionSeconds: 2, instances: "none", seed: 18 });
  await emulator.admin.setMarket({ instance_type: "it_MsIRhxj3ccyVWGfP", region: "us-central1-a", price: "$2.40", capacity: BIDS * 2 });
  client = new FcpClient({ apiKey: emulator.apiKey, apiUrl: emulator.url, project: "my-project" });
  cli = new PulumiWorkspace(bin, path.join(REPO_ROOT, "bench/stacks/many-bids"), { FCP_POLL_INTERVAL_MS: String(POLL_MS) });
  await cli.initStack("many", emulator, { "fcp:region": "us-central1-a", bids: String(BIDS) });
});

afterAll(async () => {
  if (cli) await cli.removeStack("many");
  await client?.close();
  await closeSharedFcpClients();
  await emulator?.close();
  cli?.dispose();
});

test(`pulumi up of ${BIDS} bids: one bid and one instance listing per poll interval, one key listing`, async () => {
  emulator.admin.clearRequests();
  const started = performance.now();
  await cli.ok(["up", "--yes", "--skip-preview", "--parallel", String(BIDS + 1)]);
  const elapsed = performance.now() - started;
  const counts = emulator.admin.requests().counts;
  expect(counts["POST /v2/spot/bids"]).toBe(BIDS);
  expect((await client.listBids()).filter((b) => !TERMINAL_BID_STATUSES.includes(b.status))).toHaveLength(BIDS);
  const rounds = Math.floor(elapsed / POLL_MS) + 1;
  expect(counts["GET /v2/spot/bids"] ?? 0).toBeLessThanOrEqual(rounds);
  expect(counts["GET /v2/instances"] ?? 0).toBeLessThanOrEqual(rounds);
  expect(counts["GET /v2/ssh-keys"] ?? 0).toBeLessThanOrEqual(Math.floor(elapsed / 10_000) + 1);
  // Said once more as the figure the issue names: requests per poll interval while waiting.
  expect(((counts["GET /v2/spot/bids"] ?? 0) + (counts["GET /v2/instances"] ?? 0)) / (elapsed / POLL_MS)).toBeLessThanOrEqual(3);
});

test(`pulumi destroy of ${BIDS} bids cancels every one`, async () => {
  await cli.ok(["destroy", "--yes", "--skip-preview", "--parallel", String(BIDS + 1)]);
  expect((await client.listBids()).filter((b) => !TERMINAL_BID_STATUSES.includes(b.status))).toHaveLength(0);
});
