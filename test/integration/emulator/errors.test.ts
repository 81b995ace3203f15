// Every mistake the seed's gotchas name gets the seed's error body and the right status; bad
// input never causes a 500, never crashes the server and never leaves half a change behind.
import { seedErrorBody } from "../../../src/fcp-api/schemas/error-body";
import { seededRandom } from "../../../src/emulator/prng";
import type { RunningEmulator } from "../../../src/emulator";
import { A100, call, bidBody, startTest } from "./helpers";

let emu: RunningEmulator;
let fixtures: { blockVol: string; farVol: string; attachedVol: string; liveBid: string; cancelledBid: string; key: string };

/** The parts of the world a request could change. */
async function world() {
  const s = await emu.admin.state();
  return { bids: s.bids, instances: s.instances, volumes: s.volumes, ssh_keys: s.ssh_keys, market: s.market };
}

beforeAll(async () => {
  emu = await startTest({ provisionSeconds: 0 });
  const vol = async (name: string, iface: string, region: string) =>
    (await call(emu, "POST", "/v2/volumes", { name, size_gb: 1, interface: iface, project: emu.projectFid, region })).body.fid as string;
  const blockVol = await vol("blk", "block", "us-central1-a");
  const farVol = await vol("far", "file", "eu-central1-a");
  const attachedVol = await vol("att", "block", "us-central1-a");
  const liveBid = (await call(emu, "POST", "/v2/spot/bids", bidBody(emu, { name: "holder", volumes: [attachedVol] }))).body.fid;
  const cancelledBid = (await call(emu, "POST", "/v2/spot/bids", bidBody(emu, { name: "gone" }))).body.fid;
  expect((await call(emu, "DELETE", `/v2/spot/bids/${cancelledBid}`)).status).toBe(204);
  const key = (await call(emu, "POST", "/v2/ssh-keys", { name: "k", project: emu.projectFid })).body.fid;
  fixtures = { blockVol, farVol, attachedVol, liveBid, cancelledBid, key };
});
afterAll(() => emu.close());

type Case = [string, () => [string, string, unknown], number, string | undefined, RegExp];

const bid = (overrides: Record<string, unknown>) => bidBody(emu, overrides);
const without = (field: string) => {
  const b = bidBody(emu);
  delete b[field];
  return b;
};

const CASES: Case[] = [
  ["instance type given as a name", () => ["POST", "/v2/spot/bids", bid({ instance_type: "a100" })], 422, "instance_type", /not a name.*it_MsIRhxj3ccyVWGfP/],
  ["instance type given as a full name", () => ["POST", "/v2/spot/bids", bid({ instance_type: "h100-80gb.sxm.8x" })], 422, "instance_type", /it_5ECSoHQjLBzrp5YM/],
  [
    "the seed's own wrong example",
    () => ["POST", "/v2/spot/bids", { project: "my-project", instance_type: "gpu.nvidia.a100", region: "us-central1-a", limit_price: 10.0, quantity: 1, startup_script: "#!/bin/bash\n" }],
    422,
    "quantity",
    /instance_quantity/,
  ],
  ["limit_price as a number", () => ["POST", "/v2/spot/bids", bid({ limit_price: 10 })], 422, "limit_price", /not the number 10/],
  ["limit_price without the dollar sign", () => ["POST", "/v2/spot/bids", bid({ limit_price: "15.00" })], 422, "limit_price", /dollar sign/],
  ["limit_price with sub-cent precision", () => ["POST", "/v2/spot/bids", bid({ limit_price: "$1.005" })], 422, "limit_price", /two decimals/],
  ["price instead of limit_price", () => ["POST", "/v2/spot/bids", { ...without("limit_price"), price: "$3.00" }], 422, "price", /Use "limit_price", not "price"/],
  ["quantity instead of instance_quantity", () => ["POST", "/v2/spot/bids", bid({ quantity: 2 })], 422, "quantity", /instance_quantity/],
  ["num_instances instead of instance_quantity", () => ["POST", "/v2/spot/bids", bid({ num_instances: 2 })], 422, "num_instances", /instance_quantity/],
  ["an unknown field", () => ["POST", "/v2/spot/bids", bid({ colour: "red" })], 422, "colour", /Unknown field/],
  ["no limit_price", () => ["POST", "/v2/spot/bids", without("limit_price")], 422, "limit_price", /Invalid request/],
  ["no region", () => ["POST", "/v2/spot/bids", without("region")], 422, "region", /Invalid request/],
  ["instance_quantity 0", () => ["POST", "/v2/spot/bids", bid({ instance_quantity: 0 })], 422, "instance_quantity", /Invalid request/],
  ["an unknown project", () => ["POST", "/v2/spot/bids", bid({ project: "proj_nope" })], 422, "project", /Unknown project/],
  ["the project's name instead of its FID", () => ["POST", "/v2/spot/bids", bid({ project: "my-project" })], 422, "project", /not a name/],
  ["an unknown region", () => ["POST", "/v2/spot/bids", bid({ region: "mars-1" })], 422, "region", /Unknown region/],
  ["an unknown SSH key", () => ["POST", "/v2/spot/bids", bid({ ssh_keys: ["ssh-key_nope"] })], 422, "ssh_keys.0", /Unknown SSH key/],
  ["an SSH key by name", () => ["POST", "/v2/spot/bids", bid({ ssh_keys: ["k"] })], 422, "ssh_keys.0", /is the name of ssh-key_/],
  ["a startup script of 10,001 characters", () => ["POST", "/v2/spot/bids", bid({ startup_script: "x".repeat(10_001) })], 422, "startup_script", /10001 characters; the limit is 10000/],
  ["an unknown volume", () => ["POST", "/v2/spot/bids", bid({ volumes: ["vol_nope"] })], 422, "volumes.0", /Unknown volume/],
  ["a volume in another region", () => ["POST", "/v2/spot/bids", bid({ volumes: [fixtures.farVol] })], 422, "volumes.0", /is in eu-central1-a but the bid is for us-central1-a/],
  ["a block volume on a multi-instance bid", () => ["POST", "/v2/spot/bids", bid({ instance_quantity: 2, volumes: [fixtures.blockVol] })], 422, "volumes.0", /block volume attaches to one instance/],
  ["a block volume attached to a live bid", () => ["POST", "/v2/spot/bids", bid({ volumes: [fixtures.attachedVol] })], 422, "volumes.0", /already attached to bid/],
  ["the same volume twice", () => ["POST", "/v2/spot/bids", bid({ volumes: [fixtures.blockVol, fixtures.blockVol] })], 422, "volumes.1", /listed twice/],
  [
    "launch fields given twice, differently",
    () => ["POST", "/v2/spot/bids", bid({ startup_script: "a", launch_specification: { startup_script: "b" } })],
    422,
    "startup_script",
    /both at the top level and in launch_specification/,
  ],
  ["PATCH of instance_quantity", () => ["PATCH", `/v2/spot/bids/${fixtures.liveBid}`, { instance_quantity: 4 }], 422, "instance_quantity", /Only limit_price and paused/],
  ["PATCH of region", () => ["PATCH", `/v2/spot/bids/${fixtures.liveBid}`, { region: "us-central1-b" }], 422, "region", /Only limit_price and paused/],
  ["PATCH of limit_price as a number", () => ["PATCH", `/v2/spot/bids/${fixtures.liveBid}`, { limit_price: 5 }], 422, "limit_price", /not the number 5/],
  ["PATCH of paused as a string", () => ["PATCH", `/v2/spot/bids/${fixtures.liveBid}`, { paused: "yes" }], 422, "paused", /Invalid request/],
  ["PATCH of a cancelled bid", () => ["PATCH", `/v2/spot/bids/${fixtures.cancelledBid}`, { limit_price: "$9.00" }], 422, "bid_fid", /cancelled and can no longer be changed/],
  ["a volume with capacity_gb instead of size_gb", () => ["POST", "/v2/volumes", { name: "v", capacity_gb: 1, project: emu.projectFid, region: "us-central1-a" }], 422, "capacity_gb", /size_gb/],
  ["a volume of 0 GB", () => ["POST", "/v2/volumes", { name: "v", size_gb: 0, project: emu.projectFid, region: "us-central1-a" }], 422, "size_gb", /Invalid request/],
  ["a volume with an unknown interface", () => ["POST", "/v2/volumes", { name: "v", size_gb: 1, interface: "nfs", project: emu.projectFid, region: "us-central1-a" }], 422, "interface", /Invalid request/],
  ["a volume in an unknown project", () => ["POST", "/v2/volumes", { name: "v", size_gb: 1, project: "proj_x", region: "us-central1-a" }], 422, "project", /Unknown project/],
  ["deleting an attached volume", () => ["DELETE", `/v2/volumes/${fixtures.attachedVol}`, undefined], 422, "volume_id", /attached to bid/],
  ["an SSH key that is not a key", () => ["POST", "/v2/ssh-keys", { name: "k", project: emu.projectFid, public_key: "ssh-rsa nonsense" }], 422, "public_key", /OpenSSH public key/],
  ["bids listed with an unknown status", () => ["GET", "/v2/spot/bids?status=bogus", undefined], 422, "status", /Unknown bid status/],
  ["bids listed with limit=0", () => ["GET", "/v2/spot/bids?limit=0", undefined], 422, "limit", /from 1 to 1000/],
  ["bids listed with a forged cursor", () => ["GET", "/v2/spot/bids?next_cursor=abc", undefined], 422, "next_cursor", /not a cursor/],
  ["bids listed by an instance type name", () => ["GET", "/v2/spot/bids?instance_type=a100", undefined], 422, "instance_type", /not a name/],
  ["a body that is an array", () => ["POST", "/v2/spot/bids", [1, 2]], 422, "body", /not an array/],
  ["an empty body", () => ["POST", "/v2/spot/bids", undefined], 400, undefined, /body is empty/],
  ["an unknown route", () => ["GET", "/v2/nope", undefined], 404, undefined, /No endpoint GET \/v2\/nope/],
  ["a wrong method on a known path", () => ["PUT", "/v2/volumes", {}], 404, undefined, /takes GET, POST/],
  ["the single-bid GET the API does not have", () => ["GET", `/v2/spot/bids/${fixtures.liveBid}`, undefined], 404, "bid_fid", /no single-bid GET.*GET \/v2\/spot\/bids\?project=/],
  ["the /cancel endpoint the API does not have", () => ["POST", `/v2/spot/bids/${fixtures.liveBid}/cancel`, undefined], 404, "bid_fid", /Cancel a bid with DELETE \/v2\/spot\/bids\//],
  ["PATCH of an unknown bid", () => ["PATCH", "/v2/spot/bids/bid_nope", { paused: true }], 404, "bid_fid", /No bid "bid_nope"/],
  ["DELETE of an unknown bid", () => ["DELETE", "/v2/spot/bids/bid_nope", undefined], 404, "bid_fid", /No bid/],
  ["DELETE of an unknown volume", () => ["DELETE", "/v2/volumes/vol_nope", undefined], 404, "volume_id", /No volume/],
  ["DELETE of an unknown SSH key", () => ["DELETE", "/v2/ssh-keys/ssh-key_nope", undefined], 404, "key_id", /No SSH key/],
];

describe("error answers", () => {
  it.each(CASES)("%s → %i", async (_what, request, status, field, message) => {
    const [method, path, body] = request();
    const before = await world();
    const reply = await call(emu, method, path, body);
    expect(reply.status).toBe(status);
    const parsed = seedErrorBody.parse(reply.body);
    expect(parsed.error.message).toMatch(message);
    expect(parsed.request_id).toMatch(/^req_[0-9a-f]{16}$/);
    expect(reply.headers["x-request-id"]).toBe(parsed.request_id);
    if (field) expect(reply.body.error.details.field).toBe(field);
    expect(await world()).toEqual(before);
  });

  it("lists the instance type FIDs as allowed values when a name is given", async () => {
    const reply = await call(emu, "POST", "/v2/spot/bids", bid({ instance_type: "a100" }));
    expect(reply.body.error.details).toMatchObject({ field: "instance_type", value: "a100" });
    expect(reply.body.error.details.allowed_values).toHaveLength(6);
    expect(reply.body.error.details.allowed_values).toContain(A100);
  });

  it("accepts a startup script of exactly 10,000 characters", async () => {
    const reply = await call(emu, "POST", "/v2/spot/bids", bid({ name: "edge", startup_script: "y".repeat(10_000) }));
    expect(reply.status).toBe(201);
    expect(reply.body.startup_script).toHaveLength(10_000);
  });

  it("accepts the live service's launch_specification and disk_interface", async () => {
    const vol = await call(emu, "POST", "/v2/volumes", { name: "live", size_gb: 5, disk_interface: "File", project: emu.projectFid, region: "us-central1-a" });
    expect(vol.status).toBe(201);
    expect(vol.body.interface).toBe("file");
    const { startup_script: _script, ssh_keys: _keys, ...base } = bidBody(emu);
    const reply = await call(emu, "POST", "/v2/spot/bids", {
      ...base,
      name: "live",
      launch_specification: { startup_script: "echo live", ssh_keys: [fixtures.key], volumes: [vol.body.fid] },
    });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ startup_script: "echo live", ssh_keys: [fixtures.key], volumes: [vol.body.fid] });
  });

  it("never echoes a private key sent as public_key", async () => {
    const secret = "-----BEGIN OPENSSH PRIVATE KEY-----\nc2VjcmV0\n-----END OPENSSH PRIVATE KEY-----";
    const reply = await call(emu, "POST", "/v2/ssh-keys", { name: "oops", project: emu.projectFid, public_key: secret });
    expect(reply.status).toBe(422);
    expect(JSON.stringify(reply.body)).not.toContain("c2VjcmV0");
  });
});

describe("transport-level errors", () => {
  it.each([
    ["no Authorization header", null, /Missing Authorization header/],
    ["a wrong key", "wrong-key-123", /API key is not valid/],
    ["an empty bearer", "", /must be 'Bearer <FCP API key>'/],
  ])("answers 401 to %s, without repeating the key", async (_what, key, message) => {
    const reply = await call(emu, "GET", "/v2/projects", undefined, { key });
    expect(reply.status).toBe(401);
    expect(reply.body.error.message).toMatch(message);
    expect(JSON.stringify(reply.body)).not.toContain("wrong-key-123");
  });

  it("checks the key before saying a route does not exist", async () => {
    expect((await call(emu, "GET", "/v2/nope", undefined, { key: null })).status).toBe(401);
  });

  it("answers 400 to malformed JSON", async () => {
    const reply = await call(emu, "POST", "/v2/spot/bids", undefined, { raw: '{"project": ' });
    expect(reply.status).toBe(400);
    expect(reply.body.error.message).toMatch(/not valid JSON/);
  });

  it("answers 413 to a body over 1 MiB and keeps serving", async () => {
    const reply = await call(emu, "POST", "/v2/spot/bids", undefined, { raw: JSON.stringify({ startup_script: "z".repeat(1_100_000) }) });
    expect(reply.status).toBe(413);
    expect(reply.body.error.code).toBe("PAYLOAD_TOO_LARGE");
    expect((await call(emu, "GET", "/v2/projects")).status).toBe(200);
  });

  it("answers 404 outside the API and the admin API", async () => {
    expect((await call(emu, "GET", "/", undefined)).status).toBe(404);
  });
});

describe("fuzzed bodies", () => {
  it("never answer 5xx and never change anything unless accepted", async () => {
    const random = seededRandom(99);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
    const junk = () =>
      pick<unknown>([null, -1, 0, 1.5, 1e308, "", "x", "$", "$-1.00", "$99999999.00", true, [], {}, [null], { a: 1 }, "😀".repeat(5001), "x".repeat(20_000)]);
    const targets: [string, () => string, () => Record<string, unknown>][] = [
      ["POST", () => "/v2/spot/bids", () => bidBody(emu, { name: `fz-${Math.floor(random() * 1e6)}` })],
      ["PATCH", () => `/v2/spot/bids/${fixtures.liveBid}`, () => ({ limit_price: "$3.50" })],
      ["POST", () => "/v2/volumes", () => ({ name: "fz", size_gb: 1, interface: "file", project: emu.projectFid, region: "us-central1-a" })],
      ["POST", () => "/v2/ssh-keys", () => ({ name: "fz", project: emu.projectFid })],
      ["POST", () => "/_emulator/market", () => ({ instance_type: A100, region: "us-central1-a", price: "$2.40", capacity: 32 })],
      ["POST", () => "/_emulator/faults", () => ({ errors: { rate: 0 } })],
      ["POST", () => "/_emulator/clock/advance", () => ({ ms: 0 })],
    ];
    let accepted = 0;
    for (let i = 0; i < 600; i++) {
      const [method, path, valid] = pick(targets);
      const body = valid();
      const keys = Object.keys(body);
      const mutations = 1 + Math.floor(random() * 3);
      for (let m = 0; m < mutations; m++) {
        const roll = random();
        if (roll < 0.4 && keys.length) body[pick(keys)] = junk();
        else if (roll < 0.6 && keys.length) delete body[pick(keys)];
        else if (roll < 0.8) body[pick(["price", "quantity", "x", "__proto__", "constructor"])] = junk();
        else if (keys.includes("launch_specification") || random() < 0.5) body.launch_specification = pick([junk(), { startup_script: junk() }, { volumes: junk() }]);
      }
      const before = await world();
      const reply = await call(emu, method, path(), body);
      // A fuzzed fault configuration may be valid; it must not fail the requests that follow.
      if (path() === "/_emulator/faults") await emu.admin.setFaults({});
      if (reply.status >= 500) throw new Error(`${method} ${path()} ${JSON.stringify(body).slice(0, 300)} → ${JSON.stringify(reply.body)}`);
      expect(reply.body === undefined || seedErrorBody.safeParse(reply.body).success || reply.status < 300).toBe(true);
      if (reply.status >= 400) expect(await world()).toEqual(before);
      else accepted++;
    }
    expect(accepted).toBeGreaterThan(10);
  });
});
