// The project's required SSH keys are listed once per 10 s, not once per create (the Pulumi CLI
// sends a large stack's creates one after another). A key made required within those 10 s makes
// the live service refuse the bid (the mithril-dialect emulator does the same): the client lists
// again and sends once more, so the bid is made, once, with the key.
import { startEmulator, type RunningEmulator } from "../../../src/emulator";
import { FcpClient } from "../../../src/fcp-client/client";
import { ValidationAPIError } from "../../../src/fcp-api/errors";

jest.setTimeout(60_000);

let emu: RunningEmulator;
let now = Date.now();
let client: FcpClient;

beforeAll(async () => {
  emu = await startEmulator({ seed: 19, provisionSeconds: 3600, instances: "none", dialect: "mithril" });
});
afterAll(async () => {
  await emu.close();
});
beforeEach(async () => {
  await emu.admin.reset();
  now = Date.now();
  client = new FcpClient({ apiKey: emu.apiKey, apiUrl: emu.url, project: "my-project", region: "us-central1-a", env: {}, homeDir: "/nonexistent", dialect: "mithril", clock: { now: () => now } });
});
afterEach(async () => {
  await client.close();
});

const create = (name: string) => client.createBid({ name, instanceType: "a100", limitPrice: "$5.00" });

test("20 creates one after another list the required keys once; after 10 s the next create lists again", async () => {
  emu.admin.clearRequests();
  for (let i = 0; i < 20; i++) await create(`keys-${i}`);
  expect(emu.admin.requests().counts["POST /v2/spot/bids"]).toBe(20);
  expect(emu.admin.requests().counts["GET /v2/ssh-keys"]).toBe(1);
  now += 10_001;
  await create("keys-later");
  expect(emu.admin.requests().counts["GET /v2/ssh-keys"]).toBe(2);
});

test("a key made required after the listing: the refused bid is sent again with it, and made once", async () => {
  await create("before");
  const admin = await client.createSshKey({ name: "admin", publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHlPqmZ1tWw7Jm5pHq3e0n2x6b2tXv3N0bG6b0fE2Qy8 admin@example", required: true });
  emu.admin.clearRequests();
  const bid = await create("after");
  expect(bid.sshKeys).toContain(admin.fid);
  const answers = emu.admin.requests().responses;
  expect(answers["POST /v2/spot/bids 422"]).toBe(1);
  expect(answers["POST /v2/spot/bids 201"]).toBe(1);
  expect(answers["GET /v2/ssh-keys 200"]).toBe(1);
  expect((await client.listBids()).filter((b) => b.name === "after")).toHaveLength(1);
});

test("a 422 for another reason is not sent again", async () => {
  await create("warm");
  emu.admin.clearRequests();
  const err = await client.createBid({ name: "nowhere", instanceType: "a100", limitPrice: "$5.00", region: "eu-north9-z" }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ValidationAPIError);
  const answers = emu.admin.requests().responses;
  expect(answers["POST /v2/spot/bids 422"]).toBe(1);
  expect(answers["POST /v2/spot/bids 201"]).toBeUndefined();
  // The listing is checked once more (the keys did not change), and the refusal stands.
  expect(answers["GET /v2/ssh-keys 200"]).toBe(1);
});
