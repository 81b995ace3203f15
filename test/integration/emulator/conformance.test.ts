// One set of cases over real HTTP: raw requests and FcpClient against the seed dialect, raw
// requests against the mithril dialect (the live OpenAPI's shapes, every response validated
// against it). All must see the same service, so code that works against the emulator works
// against FCP. Expectations are written in the seed's words and translated for mithril.
import { utils } from "ssh2";
import { FcpClient } from "../../../src/fcp-client/client";
import { APIError, AuthenticationError, ResourceNotFoundError, ValidationAPIError } from "../../../src/fcp-api/errors";
import type { EmulatorDialect, RunningEmulator } from "../../../src/emulator";
import { A100, H100_8X, call, listAll, startTest } from "./helpers";
import { generateEd25519KeyPair } from "../../../src/ssh/generate-key-pair";

interface NBid {
  fid: string;
  name?: string;
  status: string;
  limitPrice?: string;
  instanceQuantity: number;
  instanceType: string;
  region?: string;
  volumes: string[];
  paused: boolean;
}
interface NInstance {
  fid: string;
  bid?: string;
  status: string;
  ssh?: string;
}
interface NVolume {
  fid: string;
  name?: string;
  status: string;
  attachedTo: string[];
  interface: string;
  sizeGb: number;
  region?: string;
}
interface NKey {
  fid: string;
  name?: string;
  publicKey?: string;
  privateKey?: string;
}
interface BidInput {
  name: string;
  instanceType: string;
  region: string;
  limitPrice: string;
  quantity?: number;
  sshKeys?: string[];
  volumes?: string[];
  startupScript?: string;
}

/** A refusal, the same whichever way the request went. */
class Rejected extends Error {
  constructor(
    readonly status: number,
    readonly field?: string,
  ) {
    super(`rejected with ${status}${field ? ` on ${field}` : ""}`);
  }
}

/** Every page of a raw bid listing, in small pages so the raw path walks cursors the way a client must. */
async function walkBidPages(
  get: (query: URLSearchParams) => Promise<any>, // eslint-disable-line @typescript-eslint/no-explicit-any
  project: string,
  f: { status?: string; region?: string; instanceType?: string },
  map: (wire: any) => NBid, // eslint-disable-line @typescript-eslint/no-explicit-any
): Promise<NBid[]> {
  const out: NBid[] = [];
  let cursor: string | null = null;
  do {
    const q = new URLSearchParams({ project, limit: "7" });
    if (f.status) q.set("status", f.status);
    if (f.region) q.set("region", f.region);
    if (f.instanceType) q.set("instance_type", f.instanceType);
    if (cursor) q.set("next_cursor", cursor);
    const page = await get(q);
    out.push(...page.data.map(map));
    cursor = page.next_cursor;
  } while (cursor);
  return out;
}

interface Driver {
  projects(): Promise<{ fid: string; name: string }[]>;
  instanceTypes(): Promise<{ fid: string; name: string; numGpus: number }[]>;
  availability(): Promise<{ instanceType: string; region: string; capacity: number; price: string }[]>;
  createBid(input: BidInput): Promise<NBid>;
  listBids(filter?: { status?: string; region?: string; instanceType?: string }): Promise<NBid[]>;
  updateBid(fid: string, patch: { limitPrice?: string; paused?: boolean }): Promise<NBid>;
  cancelBid(fid: string): Promise<boolean>;
  listInstances(bid?: string): Promise<NInstance[]>;
  createVolume(input: { name: string; sizeGb: number; interface: "block" | "file"; region: string }): Promise<NVolume>;
  listVolumes(): Promise<NVolume[]>;
  deleteVolume(fid: string): Promise<boolean>;
  createSshKey(input: { name: string; publicKey?: string }): Promise<NKey>;
  listSshKeys(): Promise<NKey[]>;
  deleteSshKey(fid: string): Promise<boolean>;
}

async function ok(emu: RunningEmulator, method: string, path: string, body?: unknown, key?: string) {
  const reply = await call(emu, method, path, body, key === undefined ? {} : { key });
  if (reply.status >= 400) throw new Rejected(reply.status, reply.body?.error?.details?.field ?? undefined);
  return reply.body;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- raw JSON from the wire */
const rawBid = (b: any): NBid => ({
  fid: b.fid,
  name: b.name ?? undefined,
  status: b.status,
  limitPrice: b.limit_price,
  instanceQuantity: b.instance_quantity,
  instanceType: b.instance_type,
  region: b.region,
  volumes: b.volumes,
  paused: b.paused,
});
const rawVolume = (v: any): NVolume => ({
  fid: v.fid,
  name: v.name,
  status: v.status,
  attachedTo: v.attached_to,
  interface: v.interface,
  sizeGb: v.capacity_gb,
  region: v.region,
});
const rawKey = (k: any): NKey => ({ fid: k.fid, name: k.name, publicKey: k.public_key, privateKey: k.private_key });

function rawDriver(emu: RunningEmulator, key?: string): Driver {
  const project = emu.projectFid;
  return {
    projects: async () => (await ok(emu, "GET", "/v2/projects", undefined, key)).map((p: any) => ({ fid: p.fid, name: p.name })),
    instanceTypes: async () => (await ok(emu, "GET", "/v2/instance-types", undefined, key)).map((t: any) => ({ fid: t.fid, name: t.name, numGpus: t.num_gpus })),
    availability: async () =>
      (await ok(emu, "GET", "/v2/spot/availability", undefined, key)).map((a: any) => ({
        instanceType: a.instance_type,
        region: a.region,
        capacity: a.capacity,
        price: a.last_instance_price,
      })),
    createBid: async (i) =>
      rawBid(
        await ok(emu, "POST", "/v2/spot/bids", {
          project,
          name: i.name,
          instance_type: i.instanceType,
          region: i.region,
          limit_price: i.limitPrice,
          instance_quantity: i.quantity ?? 1,
          ssh_keys: i.sshKeys ?? [],
          volumes: i.volumes ?? [],
          startup_script: i.startupScript ?? "",
        }, key),
      ),
    listBids: (f = {}) => walkBidPages((q) => ok(emu, "GET", `/v2/spot/bids?${q}`, undefined, key), project, f, rawBid),
    updateBid: async (fid, p) => rawBid(await ok(emu, "PATCH", `/v2/spot/bids/${fid}`, { limit_price: p.limitPrice, paused: p.paused }, key)),
    cancelBid: async (fid) => {
      try {
        await ok(emu, "DELETE", `/v2/spot/bids/${fid}`, undefined, key);
        return true;
      } catch (e) {
        if (e instanceof Rejected && e.status === 404) return false;
        throw e;
      }
    },
    listInstances: async (bid) =>
      (await listAll(emu, "/v2/instances", bid ? `bid=${bid}` : "")).map((i: any) => ({
        fid: i.fid,
        bid: i.bid,
        status: i.status,
        ssh: i.ssh_destination ?? undefined,
      })),
    createVolume: async (i) =>
      rawVolume(await ok(emu, "POST", "/v2/volumes", { name: i.name, size_gb: i.sizeGb, interface: i.interface, project, region: i.region }, key)),
    listVolumes: async () => (await ok(emu, "GET", `/v2/volumes?project=${project}`, undefined, key)).map(rawVolume),
    deleteVolume: async (fid) => {
      const reply = await call(emu, "DELETE", `/v2/volumes/${fid}`, undefined, key ? { key } : {});
      if (reply.status === 404) return false;
      if (reply.status >= 400) throw new Rejected(reply.status, reply.body?.error?.details?.field);
      return true;
    },
    createSshKey: async (i) => rawKey(await ok(emu, "POST", "/v2/ssh-keys", { name: i.name, project, public_key: i.publicKey }, key)),
    listSshKeys: async () => (await ok(emu, "GET", `/v2/ssh-keys?project=${project}`, undefined, key)).map(rawKey),
    deleteSshKey: async (fid) => {
      const reply = await call(emu, "DELETE", `/v2/ssh-keys/${fid}`, undefined, key ? { key } : {});
      if (reply.status === 404) return false;
      if (reply.status >= 400) throw new Rejected(reply.status);
      return true;
    },
  };
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** FcpClient errors as the same Rejected the raw driver throws. */
async function viaClient<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ValidationAPIError) throw new Rejected(422, e.validationErrors[0]?.field);
    if (e instanceof AuthenticationError) throw new Rejected(401);
    if (e instanceof ResourceNotFoundError) throw new Rejected(404);
    if (e instanceof APIError) throw new Rejected(e.statusCode);
    throw e;
  }
}

function clientDriver(emu: RunningEmulator, clients: FcpClient[], key?: string): Driver {
  const fcp = new FcpClient({
    apiKey: key ?? emu.apiKey,
    apiUrl: emu.url,
    project: "my-project",
    region: "us-central1-a",
    maxRetries: 0,
    env: {},
  });
  clients.push(fcp);
  const bid = (b: Awaited<ReturnType<FcpClient["createBid"]>>): NBid => ({
    fid: b.fid,
    name: b.name,
    status: b.status,
    limitPrice: b.limitPrice,
    instanceQuantity: b.instanceQuantity,
    instanceType: b.instanceType,
    region: b.region,
    volumes: b.volumes,
    paused: b.paused,
  });
  const volume = (v: Awaited<ReturnType<FcpClient["createVolume"]>>): NVolume => ({
    fid: v.fid,
    name: v.name,
    status: v.status,
    attachedTo: v.attachedTo,
    interface: v.interface,
    sizeGb: v.sizeGb,
    region: v.region,
  });
  return {
    projects: () => viaClient(async () => (await fcp.listProjects()).map((p) => ({ fid: p.fid, name: p.name }))),
    instanceTypes: () => viaClient(async () => (await fcp.listInstanceTypes()).map((t) => ({ fid: t.fid, name: t.name, numGpus: t.numGpus }))),
    availability: () =>
      viaClient(async () =>
        (await fcp.getSpotAvailability()).map((a) => ({ instanceType: a.instanceType, region: a.region, capacity: a.capacity, price: a.lastInstancePrice })),
      ),
    createBid: (i) =>
      viaClient(async () =>
        bid(
          await fcp.createBid({
            name: i.name,
            instanceType: i.instanceType,
            region: i.region,
            limitPrice: i.limitPrice,
            instanceQuantity: i.quantity,
            sshKeys: i.sshKeys,
            volumes: i.volumes,
            startupScript: i.startupScript,
          }),
        ),
      ),
    listBids: (f = {}) =>
      viaClient(async () =>
        (await fcp.listBids({ status: f.status as never, region: f.region, instanceType: f.instanceType })).map(bid),
      ),
    updateBid: (fid, p) => viaClient(async () => bid(await fcp.updateBid(fid, { limitPrice: p.limitPrice, paused: p.paused }))),
    cancelBid: (fid) => viaClient(() => fcp.cancelBid(fid)),
    listInstances: (b) =>
      viaClient(async () =>
        (await fcp.listInstances(b ? { bid: b } : {})).map((i) => ({
          fid: i.fid,
          bid: i.bid,
          status: i.status,
          ssh: i.sshHost ? `${i.sshHost}:${i.sshPort}` : undefined,
        })),
      ),
    createVolume: (i) => viaClient(async () => volume(await fcp.createVolume(i))),
    listVolumes: () => viaClient(async () => (await fcp.listVolumes()).map(volume)),
    deleteVolume: (fid) => viaClient(() => fcp.deleteVolume(fid)),
    createSshKey: (i) =>
      viaClient(async () => {
        const k = await fcp.createSshKey(i);
        return { fid: k.fid, name: k.name, publicKey: k.publicKey, privateKey: k.privateKey };
      }),
    listSshKeys: () => viaClient(async () => (await fcp.listSshKeys()).map((k) => ({ fid: k.fid, name: k.name, publicKey: k.publicKey, privateKey: k.privateKey }))),
    deleteSshKey: (fid) => viaClient(() => fcp.deleteSshKey(fid)),
  };
}

/* eslint-disable @typescript-eslint/no-explicit-any -- raw JSON from the wire */
/** The field a FastAPI 422 is about: its loc without "body"/"query". */
function fastApiField(body: any): string | undefined {
  const loc: unknown[] | undefined = body?.detail?.[0]?.loc;
  return loc ? loc.slice(1).join(".") : undefined;
}

async function mithrilOk(emu: RunningEmulator, method: string, path: string, body?: unknown, key?: string) {
  const reply = await call(emu, method, path, body, key === undefined ? {} : { key });
  if (reply.status >= 400) throw new Rejected(reply.status, fastApiField(reply.body));
  return reply.body;
}

/** Mithril's wire, normalised to the driver's shapes (volume status from its `bids`). */
function mithrilDriver(emu: RunningEmulator, _clients: FcpClient[], key?: string): Driver {
  const project = emu.projectFid;
  const bid = (b: any): NBid => ({
    fid: b.fid,
    name: b.name,
    status: b.status,
    limitPrice: b.limit_price,
    instanceQuantity: b.instance_quantity,
    instanceType: b.instance_type,
    region: b.region ?? undefined,
    volumes: b.launch_specification.volumes,
    paused: b.status === "Paused",
  });
  const volume = (v: any): NVolume => ({
    fid: v.fid,
    name: v.name,
    status: v.bids.length > 0 ? "attached" : "available",
    attachedTo: v.bids,
    interface: v.interface.toLowerCase(),
    sizeGb: v.capacity_gb,
    region: v.region,
  });
  const key_ = (k: any): NKey => ({ fid: k.fid, name: k.name, publicKey: k.public_key, privateKey: k.private_key ?? undefined });
  const gone = async (path: string) => {
    const reply = await call(emu, "DELETE", path, undefined, key ? { key } : {});
    if (reply.status === 404) return false;
    if (reply.status >= 400) throw new Rejected(reply.status, fastApiField(reply.body));
    return true;
  };
  return {
    projects: async () => (await mithrilOk(emu, "GET", "/v2/projects", undefined, key)).map((p: any) => ({ fid: p.fid, name: p.name })),
    instanceTypes: async () => (await mithrilOk(emu, "GET", "/v2/instance-types", undefined, key)).map((t: any) => ({ fid: t.fid, name: t.name, numGpus: t.num_gpus })),
    availability: async () =>
      (await mithrilOk(emu, "GET", "/v2/spot/availability", undefined, key)).map((a: any) => ({
        instanceType: a.instance_type,
        region: a.region,
        capacity: a.capacity,
        price: a.last_instance_price,
      })),
    createBid: async (i) =>
      bid(
        await mithrilOk(emu, "POST", "/v2/spot/bids", mithrilBidBody(project, i), key),
      ),
    listBids: (f = {}) => walkBidPages((q) => mithrilOk(emu, "GET", `/v2/spot/bids?${q}`, undefined, key), project, f, bid),
    updateBid: async (fid, p) => bid(await mithrilOk(emu, "PATCH", `/v2/spot/bids/${fid}`, { limit_price: p.limitPrice, paused: p.paused }, key)),
    cancelBid: (fid) => gone(`/v2/spot/bids/${fid}`),
    listInstances: async (b) => {
      const out: NInstance[] = [];
      let cursor: string | null = null;
      do {
        const q = new URLSearchParams({ project, limit: "100" });
        if (b) q.set("bid_fid_in", b);
        if (cursor) q.set("next_cursor", cursor);
        const page: any = await mithrilOk(emu, "GET", `/v2/instances?${q}`, undefined, key);
        out.push(...page.data.map((i: any) => ({ fid: i.fid, bid: i.bid, status: i.status, ssh: i.ssh_destination ?? undefined })));
        cursor = page.next_cursor;
      } while (cursor);
      return out;
    },
    createVolume: async (i) =>
      volume(
        await mithrilOk(emu, "POST", "/v2/volumes", { name: i.name, size_gb: i.sizeGb, disk_interface: i.interface === "block" ? "Block" : "File", project, region: i.region }, key),
      ),
    listVolumes: async () => (await mithrilOk(emu, "GET", `/v2/volumes?project=${project}`, undefined, key)).map(volume),
    deleteVolume: (fid) => gone(`/v2/volumes/${fid}`),
    createSshKey: async (i) => key_(await mithrilOk(emu, "POST", "/v2/ssh-keys", { name: i.name, project, public_key: i.publicKey }, key)),
    listSshKeys: async () => (await mithrilOk(emu, "GET", `/v2/ssh-keys?project=${project}`, undefined, key)).map(key_),
    deleteSshKey: (fid) => gone(`/v2/ssh-keys/${fid}`),
  };
}
/* eslint-enable @typescript-eslint/no-explicit-any */

function mithrilBidBody(project: string, i: BidInput): Record<string, unknown> {
  return {
    project,
    name: i.name,
    instance_type: i.instanceType,
    region: i.region,
    limit_price: i.limitPrice,
    instance_quantity: i.quantity ?? 1,
    launch_specification: { ssh_keys: i.sshKeys ?? [], volumes: i.volumes ?? [], startup_script: i.startupScript ?? "" },
  };
}

/** What a dialect calls the seed's statuses, fields and volume bodies. */
interface Words {
  bid(seedStatus: string): string;
  instance(seedStatus: string): string;
  field(seedField: string): string;
  /** The status of refusing to delete an attached volume. */
  attachedVolumeStatus: number;
  rawBid(project: string, i: BidInput): Record<string, unknown>;
  rawVolume(project: string, name: string, iface: "block" | "file", region: string): Record<string, unknown>;
  keyPrefix: RegExp;
  generatedKeyType: RegExp;
}

const SEED_WORDS: Words = {
  bid: (s) => s,
  instance: (s) => s,
  field: (f) => f,
  attachedVolumeStatus: 422,
  rawBid: (project, i) => ({ project, name: i.name, instance_type: i.instanceType, region: i.region, limit_price: i.limitPrice }),
  rawVolume: (project, name, iface, region) => ({ name, size_gb: 1, interface: iface, project, region }),
  keyPrefix: /^ssh-key_/,
  generatedKeyType: /^ssh-ed25519 /,
};

const MITHRIL_BID: Record<string, string> = { pending: "Open", provisioning: "Allocated", allocated: "Allocated", running: "Allocated", paused: "Paused", cancelled: "Terminated" };
const MITHRIL_INSTANCE: Record<string, string> = { pending: "STATUS_STARTING", running: "STATUS_RUNNING", terminated: "STATUS_TERMINATED" };
const MITHRIL_WORDS: Words = {
  bid: (s) => MITHRIL_BID[s] ?? s,
  instance: (s) => MITHRIL_INSTANCE[s] ?? s,
  field: (f) => (/^(ssh_keys|startup_script|volumes)/.test(f) ? `launch_specification.${f}` : f),
  attachedVolumeStatus: 409,
  rawBid: mithrilBidBody,
  rawVolume: (project, name, iface, region) => ({ name, size_gb: 1, disk_interface: iface === "block" ? "Block" : "File", project, region }),
  keyPrefix: /^sshkey_/,
  generatedKeyType: /^ssh-rsa /,
};

async function rejection(promise: Promise<unknown>): Promise<Rejected> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof Rejected) return e;
    throw e;
  }
  throw new Error("expected the request to be rejected");
}

const DRIVERS: [string, EmulatorDialect, (emu: RunningEmulator, clients: FcpClient[], key?: string) => Driver, Words][] = [
  ["raw HTTP", "seed", (emu, _clients, key) => rawDriver(emu, key), SEED_WORDS],
  ["FcpClient", "seed", clientDriver, SEED_WORDS],
  ["raw HTTP", "mithril", mithrilDriver, MITHRIL_WORDS],
];

describe.each(DRIVERS)("FCP v2 conformance through %s, %s dialect", (_label, dialect, makeDriver, words) => {
  let emu: RunningEmulator;
  let api: Driver;
  const clients: FcpClient[] = [];

  beforeEach(async () => {
    emu = await startTest({ provisionSeconds: 60, dialect });
    api = makeDriver(emu, clients);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    // Every mithril answer of the test conformed to the live OpenAPI document.
    expect(emu.openApiViolations()).toEqual([]);
    await emu.close();
  });

  if (dialect === "mithril") {
    it("validates its responses against the live OpenAPI document in this run", () => {
      expect(process.env.FCP_EMULATOR_VALIDATE_OPENAPI).toBe("1");
    });
  }

  it("lists the seeded project, the seed's instance types and priced availability", async () => {
    expect(await api.projects()).toEqual([{ fid: emu.projectFid, name: "my-project" }]);
    const types = await api.instanceTypes();
    expect(types.map((t) => t.name).sort()).toEqual([
      "a100-80gb.sxm.1x",
      "a100-80gb.sxm.2x",
      "a100-80gb.sxm.4x",
      "a100-80gb.sxm.8x",
      "h100-80gb.pcie.1x",
      "h100-80gb.sxm.8x",
    ]);
    expect(types.find((t) => t.fid === H100_8X)).toMatchObject({ name: "h100-80gb.sxm.8x", numGpus: 8 });
    const availability = await api.availability();
    expect(availability.length).toBeGreaterThan(10);
    for (const a of availability) {
      expect(a.price).toMatch(/^\$\d+\.\d\d$/);
      expect(types.map((t) => t.fid)).toContain(a.instanceType);
    }
  });

  it("allocates a bid, then runs it once provisioned, with reachable ssh destinations", async () => {
    const bid = await api.createBid({ name: "train", instanceType: A100, region: "us-central1-a", limitPrice: "$3.00", quantity: 2 });
    expect(bid).toMatchObject({ status: words.bid("provisioning"), limitPrice: "$3.00", instanceQuantity: 2, instanceType: A100, paused: false });
    expect(bid.fid).toMatch(/^bid_[A-Za-z0-9]{16}$/);
    const before = await api.listInstances(bid.fid);
    expect(before.map((i) => [i.status, i.ssh])).toEqual([
      [words.instance("pending"), undefined],
      [words.instance("pending"), undefined],
    ]);
    emu.clock.advance(60_000);
    expect((await api.listBids()).find((b) => b.fid === bid.fid)?.status).toBe(words.bid("running"));
    const after = await api.listInstances(bid.fid);
    expect(after).toHaveLength(2);
    for (const i of after) {
      expect(i.status).toBe(words.instance("running"));
      expect(i.ssh).toMatch(/^127\.0\.0\.1:\d+$/);
    }
    const capacity = (await api.availability()).find((a) => a.instanceType === A100 && a.region === "us-central1-a")!.capacity;
    expect(capacity).toBe(30);
  });

  it("lists every bid across pages, and filters by status, region and instance type", async () => {
    for (let i = 0; i < 105; i++) {
      const reply = await call(
        emu,
        "POST",
        "/v2/spot/bids",
        words.rawBid(emu.projectFid, {
          name: `bulk-${i}`,
          region: i % 3 === 0 ? "us-central1-b" : "us-central1-a",
          instanceType: i % 5 === 0 ? H100_8X : A100,
          limitPrice: "$0.50",
        }),
      );
      expect(reply.status).toBe(201);
    }
    const all = await api.listBids();
    expect(all).toHaveLength(105);
    expect(new Set(all.map((b) => b.fid)).size).toBe(105);
    expect(all.map((b) => b.name)).toEqual(Array.from({ length: 105 }, (_, i) => `bulk-${i}`));
    expect((await api.listBids({ region: "us-central1-b" })).length).toBe(35);
    expect((await api.listBids({ instanceType: H100_8X })).length).toBe(21);
    expect((await api.listBids({ status: words.bid("pending") })).length).toBe(105);
    expect(await api.listBids({ status: words.bid("running") })).toEqual([]);
  });

  it("changes the limit price with one PATCH; below the market the bid is preempted, above it runs again", async () => {
    const bid = await api.createBid({ name: "p", instanceType: A100, region: "us-central1-a", limitPrice: "$3.00" });
    const lowered = await api.updateBid(bid.fid, { limitPrice: "$1.00" });
    expect(lowered).toMatchObject({ limitPrice: "$1.00", status: words.bid("pending") });
    expect((await api.listInstances(bid.fid)).map((i) => i.status)).toEqual([words.instance("terminated")]);
    const raised = await api.updateBid(bid.fid, { limitPrice: "$4.00" });
    expect(raised).toMatchObject({ limitPrice: "$4.00", status: words.bid("provisioning") });
    const paused = await api.updateBid(bid.fid, { paused: true });
    expect(paused).toMatchObject({ paused: true, status: words.bid("paused") });
    expect((await api.listInstances(bid.fid)).every((i) => i.status === words.instance("terminated"))).toBe(true);
    expect(await api.updateBid(bid.fid, { paused: false })).toMatchObject({ paused: false, status: words.bid("provisioning") });
  });

  it("cancels a bid: instances terminated, capacity returned, a second cancel harmless", async () => {
    const bid = await api.createBid({ name: "c", instanceType: H100_8X, region: "us-central1-b", limitPrice: "$30.00", quantity: 4 });
    const free = async () => (await api.availability()).find((a) => a.instanceType === H100_8X && a.region === "us-central1-b")!.capacity;
    expect(await free()).toBe(12);
    expect(await api.cancelBid(bid.fid)).toBe(true);
    expect(await free()).toBe(16);
    expect((await api.listBids()).find((b) => b.fid === bid.fid)?.status).toBe(words.bid("cancelled"));
    expect((await api.listInstances(bid.fid)).map((i) => i.status)).toEqual(Array(4).fill(words.instance("terminated")));
    await api.cancelBid(bid.fid);
    expect(await api.cancelBid("bid_doesnotexist0000")).toBe(false);
  });

  it("attaches volumes through bids, refuses deleting an attached one, deletes it after the bid ends", async () => {
    const vol = await api.createVolume({ name: "data", sizeGb: 10, interface: "block", region: "us-central1-a" });
    expect(vol).toMatchObject({ name: "data", sizeGb: 10, interface: "block", status: "available", attachedTo: [] });
    expect(vol.fid).toMatch(/^vol_/);
    const bid = await api.createBid({ name: "v", instanceType: A100, region: "us-central1-a", limitPrice: "$3.00", volumes: [vol.fid] });
    expect(bid.volumes).toEqual([vol.fid]);
    expect((await api.listVolumes()).find((v) => v.fid === vol.fid)).toMatchObject({ status: "attached", attachedTo: [bid.fid] });
    expect(await rejection(api.deleteVolume(vol.fid))).toMatchObject({ status: words.attachedVolumeStatus });
    await api.cancelBid(bid.fid);
    expect((await api.listVolumes()).find((v) => v.fid === vol.fid)).toMatchObject({ status: "available", attachedTo: [] });
    expect(await api.deleteVolume(vol.fid)).toBe(true);
    expect(await api.deleteVolume(vol.fid)).toBe(false);
    expect(await api.listVolumes()).toEqual([]);
  });

  it("shares a file volume across a multi-instance bid", async () => {
    const vol = await api.createVolume({ name: "shared", sizeGb: 100, interface: "file", region: "us-central1-b" });
    const bid = await api.createBid({ name: "cluster", instanceType: H100_8X, region: "us-central1-b", limitPrice: "$30.00", quantity: 2, volumes: [vol.fid] });
    expect(bid.status).toBe(words.bid("provisioning"));
    expect((await api.listVolumes())[0]).toMatchObject({ interface: "file", status: "attached", attachedTo: [bid.fid] });
  });

  it("generates an SSH key pair when no public key is given, returning the private half once", async () => {
    const generated = await api.createSshKey({ name: "gen" });
    expect(generated.fid).toMatch(words.keyPrefix);
    expect(generated.publicKey).toMatch(words.generatedKeyType);
    expect(generated.privateKey).toMatch(/BEGIN OPENSSH PRIVATE KEY/);
    const parsed = utils.parseKey(generated.privateKey!);
    expect(parsed instanceof Error).toBe(false);

    const own = generateEd25519KeyPair("me@laptop");
    const given = await api.createSshKey({ name: "mine", publicKey: own.publicKey });
    expect(given.publicKey).toBe(own.publicKey);
    expect(given.privateKey).toBeUndefined();

    const listed = await api.listSshKeys();
    expect(listed.map((k) => k.name).sort()).toEqual(["gen", "mine"]);
    expect(listed.every((k) => k.privateKey === undefined)).toBe(true);
    expect(await api.deleteSshKey(generated.fid)).toBe(true);
    expect(await api.deleteSshKey(generated.fid)).toBe(false);
  });

  it("starts a bid with SSH keys, and refuses an unknown one with a 422 on ssh_keys", async () => {
    const key = await api.createSshKey({ name: "k" });
    const bid = await api.createBid({ name: "k", instanceType: A100, region: "us-central1-a", limitPrice: "$3.00", sshKeys: [key.fid] });
    expect(bid.status).toBe(words.bid("provisioning"));
    expect(await rejection(api.createBid({ name: "k2", instanceType: A100, region: "us-central1-a", limitPrice: "$3.00", sshKeys: ["ssh-key_nope"] }))).toMatchObject({
      status: 422,
      field: words.field("ssh_keys.0"),
    });
  });

  it.each<[string, (vol: { block: string; far: string }) => BidInput, string]>([
    ["a startup script over 10,000 characters", () => ({ name: "s", instanceType: A100, region: "us-central1-a", limitPrice: "$3.00", startupScript: "#".repeat(10_001) }), "startup_script"],
    ["a block volume on a two-instance bid", (v) => ({ name: "b", instanceType: A100, region: "us-central1-a", limitPrice: "$3.00", quantity: 2, volumes: [v.block] }), "volumes.0"],
    ["a volume in another region", (v) => ({ name: "r", instanceType: A100, region: "us-central1-a", limitPrice: "$3.00", volumes: [v.far] }), "volumes.0"],
    ["a type not offered in the region", () => ({ name: "o", instanceType: H100_8X, region: "eu-central1-a", limitPrice: "$30.00" }), "region"],
  ])("refuses %s with a 422, creating nothing", async (_what, input, field) => {
    const block = await call(emu, "POST", "/v2/volumes", words.rawVolume(emu.projectFid, "blk", "block", "us-central1-a"));
    const far = await call(emu, "POST", "/v2/volumes", words.rawVolume(emu.projectFid, "far", "file", "eu-central1-a"));
    const err = await rejection(api.createBid(input({ block: block.body.fid, far: far.body.fid })));
    expect(err).toMatchObject({ status: 422, field: words.field(field) });
    expect(await api.listBids()).toEqual([]);
  });

  it("refuses a wrong API key with a 401", async () => {
    const wrong = makeDriver(emu, clients, "not-the-key");
    expect(await rejection(wrong.projects())).toMatchObject({ status: 401 });
  });
});
