// The mithril dialect over raw HTTP, written from the live OpenAPI document (flow-compute's
// openapi.json): FastAPI's validation and error format, the endpoints only the live service has,
// and the ones the emulator does not model. Every response here is also validated against the
// document (the jest globalSetup turns that on), and each test ends with no violation recorded.
import type { RunningEmulator } from "../../../src/emulator";
import { EMULATOR_DIALECTS } from "../../../src/emulator";
import { OpenApiResponses } from "../../../src/emulator/dialects/openapi-responses";
import { NOT_MODELLED } from "../../../src/emulator/dialects/mithril/routes";
import { generateEd25519KeyPair } from "../../../src/ssh/generate-key-pair";
import { loadLiveOpenApi } from "../../fixtures/live-openapi";
import { seededRandom } from "../../../src/emulator/prng";
import { startCli, failingCli } from "./cli-process";
import { A100, call, startTest } from "./helpers";

function launch(emu: RunningEmulator, overrides: Record<string, unknown> = {}, spec: Record<string, unknown> = {}) {
  return {
    project: emu.projectFid,
    region: "us-central1-a",
    instance_type: A100,
    limit_price: "$3.00",
    instance_quantity: 1,
    name: "m-bid",
    launch_specification: { ssh_keys: [], volumes: [], startup_script: "#!/bin/bash\necho hi\n", ...spec },
    ...overrides,
  };
}

describe("the mithril dialect", () => {
  let emu: RunningEmulator;
  beforeEach(async () => {
    emu = await startTest({ dialect: "mithril", provisionSeconds: 60 });
  });
  afterEach(async () => {
    expect(emu.openApiViolations()).toEqual([]);
    await emu.close();
  });

  it("says which dialect it serves", () => {
    expect(emu.dialect).toBe("mithril");
    expect(EMULATOR_DIALECTS).toEqual(["seed", "mithril"]);
  });

  it("answers every operation of the OpenAPI document: served, or a 501 naming it, never an unknown-route 404", async () => {
    const doc = loadLiveOpenApi() as { paths: Record<string, Record<string, unknown>> };
    const served = new Set(NOT_MODELLED.map(([m, t]) => `${m} ${t}`));
    let notModelled = 0;
    for (const [template, item] of Object.entries(doc.paths)) {
      for (const method of ["get", "post", "patch", "put", "delete"].filter((m) => m in item)) {
        const M = method.toUpperCase();
        const path = template.replace(/\{[^}]+\}/g, "x_1");
        const reply = await call(emu, M, path, M === "GET" || M === "DELETE" ? undefined : {});
        // A 404 may only say the FID names nothing, never that the endpoint is unknown.
        const unknownRoute = reply.status === 404 && /No endpoint|does not exist/.test(String(reply.body?.detail));
        expect([M, template, unknownRoute]).toEqual([M, template, false]);
        if (served.has(`${M} ${template}`)) {
          notModelled++;
          expect(reply.status).toBe(501);
          expect(reply.body.detail).toContain(`${M} ${template} exists in the live Mithril API but fcp-emulator does not model it`);
        }
      }
    }
    expect(notModelled).toBe(NOT_MODELLED.length);
  });

  it("refuses a seed-shaped bid with FastAPI's 422: every missing field at once, with its loc", async () => {
    const reply = await call(emu, "POST", "/v2/spot/bids", {
      project: emu.projectFid,
      region: "us-central1-a",
      instance_type: A100,
      limit_price: "$3.00",
      ssh_keys: [],
      startup_script: "echo",
    });
    expect(reply.status).toBe(422);
    expect(reply.body).toEqual({
      detail: [
        { loc: ["body", "instance_quantity"], msg: "Field required", type: "missing" },
        { loc: ["body", "name"], msg: "Field required", type: "missing" },
        { loc: ["body", "launch_specification"], msg: "Field required", type: "missing" },
      ],
    });
  });

  it("takes the nested launch_specification, ignores fields the model does not declare, and answers BidModel", async () => {
    const reply = await call(emu, "POST", "/v2/spot/bids", { ...launch(emu), not_a_field: 1 });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({
      name: "m-bid",
      status: "Allocated",
      deactivated_at: null,
      launch_specification: { ssh_keys: [], volumes: [], startup_script: "#!/bin/bash\necho hi\n" },
    });
    expect(reply.body).not.toHaveProperty("paused");
    expect(reply.body).not.toHaveProperty("ssh_keys");
    const one = await call(emu, "GET", `/v2/spot/bids/${reply.body.fid}`);
    expect(one).toMatchObject({ status: 200, body: reply.body });
    const missing = await call(emu, "GET", "/v2/spot/bids/bid_nope");
    expect(missing.status).toBe(404);
    expect(typeof missing.body.detail).toBe("string");
  });

  it("reports rule breaks in the launch specification where they are, with the reason", async () => {
    const tooLong = await call(emu, "POST", "/v2/spot/bids", launch(emu, {}, { startup_script: "#".repeat(10_001) }));
    expect(tooLong.status).toBe(422);
    expect(tooLong.body.detail[0]).toMatchObject({ loc: ["body", "launch_specification", "startup_script"], type: "value_error" });
    expect(tooLong.body.detail[0].msg).toContain("the limit is 10000");
    const exactly = await call(emu, "POST", "/v2/spot/bids", launch(emu, {}, { startup_script: "#".repeat(10_000) }));
    expect(exactly.status).toBe(201);
    const badKey = await call(emu, "POST", "/v2/spot/bids", launch(emu, {}, { ssh_keys: ["sshkey_nope"] }));
    expect(badKey.body.detail[0]).toMatchObject({ loc: ["body", "launch_specification", "ssh_keys", 0], type: "value_error" });
    const lowercase = await call(emu, "POST", "/v2/spot/bids", launch(emu, { instance_quantity: "two" }));
    expect(lowercase.body.detail).toEqual([{ loc: ["body", "instance_quantity"], msg: "Input should be a valid integer, unable to parse string as an integer", type: "int_parsing" }]);
  });

  it("filters bids by the capitalised status enum and refuses lowercase values", async () => {
    const bid = (await call(emu, "POST", "/v2/spot/bids", launch(emu))).body;
    await call(emu, "POST", "/v2/spot/bids", launch(emu, { name: "waits", limit_price: "$0.10" }));
    const allocated = await call(emu, "GET", `/v2/spot/bids?project=${emu.projectFid}&status=Allocated`);
    expect(allocated.body.data.map((b: { fid: string }) => b.fid)).toEqual([bid.fid]);
    // A query parameter the endpoint does not declare is ignored, as FastAPI does.
    const open = await call(emu, "GET", `/v2/spot/bids?project=${emu.projectFid}&status=Open&not_a_filter=1`);
    expect(open.body.data.map((b: { name: string }) => b.name)).toEqual(["waits"]);
    const lower = await call(emu, "GET", `/v2/spot/bids?status=allocated`);
    expect(lower.status).toBe(422);
    expect(lower.body.detail[0]).toMatchObject({ loc: ["query", "status"], type: "enum" });
    const tooMany = await call(emu, "GET", `/v2/spot/bids?limit=101`);
    expect(tooMany.body.detail[0]).toMatchObject({ loc: ["query", "limit"], type: "less_than_equal" });
    const desc = await call(emu, "GET", `/v2/spot/bids?sort_by=created_at&sort_dir=desc&limit=1`);
    expect(desc.body.data[0].name).toBe("waits");
    const next = await call(emu, "GET", `/v2/spot/bids?sort_by=created_at&sort_dir=desc&limit=1&next_cursor=${desc.body.next_cursor}`);
    expect(next.body).toMatchObject({ data: [{ fid: bid.fid }], next_cursor: null });
  });

  it("lists instances with project required, bid_fid_in and status_in (repeated or comma-separated), and STATUS_* values", async () => {
    const a = (await call(emu, "POST", "/v2/spot/bids", launch(emu, { name: "a" }))).body;
    const b = (await call(emu, "POST", "/v2/spot/bids", launch(emu, { name: "b", instance_quantity: 2 }))).body;
    const noProject = await call(emu, "GET", "/v2/instances");
    expect(noProject.body.detail).toEqual([{ loc: ["query", "project"], msg: "Field required", type: "missing" }]);
    const ofB = await call(emu, "GET", `/v2/instances?project=${emu.projectFid}&bid_fid_in=${b.fid}`);
    expect(ofB.body.data.map((i: { bid: string }) => i.bid)).toEqual([b.fid, b.fid]);
    const both = await call(emu, "GET", `/v2/instances?project=${emu.projectFid}&bid_fid_in=${a.fid}&bid_fid_in=${b.fid}`);
    expect(both.body.data).toHaveLength(3);
    expect(new Set(both.body.data.map((i: { status: string }) => i.status))).toEqual(new Set(["STATUS_STARTING"]));
    emu.clock.advance(60_000);
    const running = await call(emu, "GET", `/v2/instances?project=${emu.projectFid}&status_in=STATUS_RUNNING,STATUS_STARTING`);
    expect(running.body.data.map((i: { status: string }) => i.status)).toEqual(["STATUS_RUNNING", "STATUS_RUNNING", "STATUS_RUNNING"]);
    const badStatus = await call(emu, "GET", `/v2/instances?project=${emu.projectFid}&status_in=running`);
    expect(badStatus.body.detail[0]).toMatchObject({ loc: ["query", "status_in", 0], type: "enum" });
  });

  it("PATCHes a bid's volumes, price and pause, and refuses memory_gb", async () => {
    const vol = (await call(emu, "POST", "/v2/volumes", { name: "data-1", project: emu.projectFid, disk_interface: "Block", region: "us-central1-a", size_gb: 5 })).body;
    const bid = (await call(emu, "POST", "/v2/spot/bids", launch(emu))).body;
    const patched = await call(emu, "PATCH", `/v2/spot/bids/${bid.fid}`, { volumes: [vol.fid], paused: true, limit_price: "$4.00" });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ status: "Paused", limit_price: "$4.00", launch_specification: { volumes: [vol.fid] } });
    const listed = await call(emu, "GET", `/v2/volumes?project=${emu.projectFid}`);
    expect(listed.body).toEqual([expect.objectContaining({ fid: vol.fid, interface: "Block", bids: [bid.fid], reservations: [], deleted_at: null })]);
    const memory = await call(emu, "PATCH", `/v2/spot/bids/${bid.fid}`, { memory_gb: 64 });
    expect(memory.body.detail[0]).toMatchObject({ loc: ["body", "memory_gb"], type: "value_error" });
    const busy = await call(emu, "DELETE", `/v2/volumes/${vol.fid}`);
    expect(busy.status).toBe(409);
    expect(busy.body.detail).toContain(bid.fid);
    expect((await call(emu, "PATCH", `/v2/spot/bids/${bid.fid}`, { volumes: [] })).body.launch_specification.volumes).toEqual([]);
    expect((await call(emu, "DELETE", `/v2/volumes/${vol.fid}`)).status).toBe(204);
  });

  it("creates volumes by disk_interface with the name rules, and renames them with PATCH", async () => {
    const bad = await call(emu, "POST", "/v2/volumes", { name: "Data_1", project: emu.projectFid, disk_interface: "block", region: "us-central1-a", size_gb: 0 });
    expect(bad.body.detail.map((d: { loc: unknown[]; type: string }) => [d.loc.join("."), d.type])).toEqual([
      ["body.name", "string_pattern_mismatch"],
      ["body.disk_interface", "enum"],
      ["body.size_gb", "greater_than"],
    ]);
    const long = await call(emu, "POST", "/v2/volumes", { name: `a${"b".repeat(64)}`, project: emu.projectFid, disk_interface: "File", region: "us-central1-a", size_gb: 1 });
    expect(long.body.detail[0]).toMatchObject({ loc: ["body", "name"], type: "string_too_long" });
    const made = await call(emu, "POST", "/v2/volumes", { name: "shared", project: emu.projectFid, disk_interface: "File", region: "us-central1-a", size_gb: 100 });
    expect(made).toMatchObject({ status: 201, body: { name: "shared", interface: "File", capacity_gb: 100, bids: [] } });
    const renamed = await call(emu, "PATCH", `/v2/volumes/${made.body.fid}`, { name: "shared-2" });
    expect(renamed.body).toMatchObject({ fid: made.body.fid, name: "shared-2" });
  });

  it("makes sshkey_ ids, RSA keys on request, and enforces required keys on every bid", async () => {
    const own = generateEd25519KeyPair("me@laptop");
    const uploaded = await call(emu, "POST", "/v2/ssh-keys", { project: emu.projectFid, name: "mine", public_key: own.publicKey });
    expect(uploaded).toMatchObject({ status: 201, body: { required: false, private_key: null, public_key: own.publicKey } });
    expect(uploaded.body.fid).toMatch(/^sshkey_[A-Za-z0-9]{16}$/);
    const generated = await call(emu, "POST", "/v2/ssh-keys", { project: emu.projectFid, name: "gen", required: true });
    expect(generated.body.public_key).toMatch(/^ssh-rsa /);
    expect(generated.body.private_key).toMatch(/PRIVATE KEY/);
    expect(generated.body.required).toBe(true);

    const without = await call(emu, "POST", "/v2/spot/bids", launch(emu, {}, { ssh_keys: [uploaded.body.fid] }));
    expect(without.status).toBe(422);
    expect(without.body.detail[0].loc).toEqual(["body", "launch_specification", "ssh_keys"]);
    expect(without.body.detail[0].msg).toContain(generated.body.fid);
    const withIt = await call(emu, "POST", "/v2/spot/bids", launch(emu, {}, { ssh_keys: [uploaded.body.fid, generated.body.fid] }));
    expect(withIt.status).toBe(201);

    const relaxed = await call(emu, "PATCH", `/v2/ssh-keys/${generated.body.fid}`, { required: false });
    expect(relaxed.body).toMatchObject({ fid: generated.body.fid, required: false });
    expect(relaxed.body).not.toHaveProperty("private_key");
    expect((await call(emu, "PATCH", `/v2/ssh-keys/${generated.body.fid}`, {})).body.detail[0]).toMatchObject({ loc: ["body", "required"], type: "missing" });
    const listed = await call(emu, "GET", `/v2/ssh-keys?project=${emu.projectFid}`);
    expect(listed.body.map((k: { name: string; required: boolean }) => [k.name, k.required])).toEqual([
      ["mine", false],
      ["gen", false],
    ]);
  });

  it("answers me, projects, instance types, availability and current prices with the live fields", async () => {
    const me = (await call(emu, "GET", "/v2/me")).body;
    expect(me).toMatchObject({ fid: expect.stringMatching(/^user_/), organization_id: expect.stringMatching(/^org_/) });
    const types = (await call(emu, "GET", "/v2/instance-types")).body;
    expect(types[0]).toMatchObject({ ib_count: 0, bridge_count: 0, hourly_price: expect.any(Number) });
    const auctions = (await call(emu, "GET", "/v2/spot/availability")).body;
    expect(auctions[0]).toMatchObject({ adjustable_memory: false, lowest_allocated_price: null });
    const price = await call(emu, "GET", `/v2/pricing/current?instance_type=${A100}&region=us-central1-a`);
    expect(price.body).toMatchObject({ spot_price_cents: 240, available_capacity: 32, total_capacity: 32 });
    const noType = await call(emu, "GET", "/v2/pricing/current");
    expect(noType.body.detail[0]).toMatchObject({ loc: ["query", "instance_type"], type: "missing" });
  });

  it("answers a wrong key, malformed JSON and a wrong method as FastAPI does", async () => {
    const wrong = await call(emu, "GET", "/v2/projects", undefined, { key: "nope" });
    expect(wrong.status).toBe(401);
    expect(typeof wrong.body.detail).toBe("string");
    const broken = await call(emu, "POST", "/v2/volumes", undefined, { raw: "{not json" });
    expect(broken.status).toBe(422);
    expect(broken.body.detail[0]).toMatchObject({ loc: ["body", 0], type: "json_invalid" });
    const wrongMethod = await call(emu, "PUT", "/v2/volumes");
    expect(wrongMethod).toMatchObject({ status: 405, headers: { allow: "GET, POST" } });
    expect(wrongMethod.body.detail).toContain("Method Not Allowed");
    const empty = await call(emu, "POST", "/v2/volumes");
    expect(empty.body.detail).toEqual([{ loc: ["body"], msg: "Field required", type: "missing" }]);
  });
});

describe("hostile ids in the mithril dialect", () => {
  it("answers 404 for __proto__ and friends on every FID route, leaving Object.prototype alone", async () => {
    const emu = await startTest({ dialect: "mithril" });
    try {
      for (const id of ["__proto__", "constructor", "toString", "hasOwnProperty"]) {
        const calls: Array<[string, string, unknown]> = [
          ["GET", `/v2/spot/bids/${id}`, undefined],
          ["PATCH", `/v2/spot/bids/${id}`, { paused: true }],
          ["DELETE", `/v2/spot/bids/${id}`, undefined],
          ["PATCH", `/v2/volumes/${id}`, { name: "x" }],
          ["DELETE", `/v2/volumes/${id}`, undefined],
          ["PATCH", `/v2/ssh-keys/${id}`, { required: true }],
          ["DELETE", `/v2/ssh-keys/${id}`, undefined],
        ];
        for (const [method, path, body] of calls) {
          const reply = await call(emu, method, path, body);
          expect([method, path, reply.status]).toEqual([method, path, 404]);
          expect(typeof reply.body.detail).toBe("string");
        }
      }
      expect(({} as Record<string, unknown>).required).toBeUndefined();
      expect(({} as Record<string, unknown>).paused).toBeUndefined();
      expect(emu.openApiViolations()).toEqual([]);
    } finally {
      await emu.close();
    }
  });
});

describe("fuzzed mithril requests", () => {
  it("never answer 5xx (an answer breaking the OpenAPI would be one), always FastAPI's error body, and change nothing unless accepted", async () => {
    const emu = await startTest({ dialect: "mithril", provisionSeconds: 0 });
    try {
      const vol = (await call(emu, "POST", "/v2/volumes", { name: "att", project: emu.projectFid, disk_interface: "Block", region: "us-central1-a", size_gb: 1 })).body.fid;
      const bid = (await call(emu, "POST", "/v2/spot/bids", launch(emu, { name: "holder" }, { volumes: [vol] }))).body.fid;
      const key = (await call(emu, "POST", "/v2/ssh-keys", { project: emu.projectFid, name: "k", public_key: generateEd25519KeyPair("k").publicKey })).body.fid;
      const random = seededRandom(7);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
      const junk = () => pick<unknown>([null, -1, 0, 1.5, "", "x", "Open", "$", "$-1.00", "$3.00", true, [], {}, [null], ["x"], { a: 1 }, "x".repeat(20_000)]);
      const bodies: [string, () => string, () => Record<string, unknown>][] = [
        ["POST", () => "/v2/spot/bids", () => launch(emu, { name: `fz-${Math.floor(random() * 1e6)}` })],
        ["PATCH", () => `/v2/spot/bids/${bid}`, () => ({ limit_price: "$3.50", paused: false, volumes: [vol] })],
        ["POST", () => "/v2/volumes", () => ({ name: "fz", project: emu.projectFid, disk_interface: "File", region: "us-central1-a", size_gb: 1 })],
        ["PATCH", () => `/v2/volumes/${vol}`, () => ({ name: "att-2" })],
        ["PATCH", () => `/v2/ssh-keys/${key}`, () => ({ required: false })],
      ];
      const queries = ["/v2/spot/bids", "/v2/instances", "/v2/volumes", "/v2/ssh-keys", "/v2/pricing/current", "/v2/reservation"];
      const params = ["project", "status", "status_in", "bid_fid_in", "limit", "sort_by", "sort_dir", "next_cursor", "instance_type", "region", "include_deleted"];
      const world = async () => {
        const st = await emu.admin.state();
        return { bids: st.bids, volumes: st.volumes, ssh_keys: st.ssh_keys };
      };
      let accepted = 0;
      for (let i = 0; i < 400; i++) {
        let reply;
        const before = await world();
        if (random() < 0.3) {
          const q = new URLSearchParams();
          if (random() < 0.7) q.set("project", emu.projectFid);
          for (let m = 0; m < 3; m++) q.append(pick(params), String(junk()).slice(0, 50));
          reply = await call(emu, "GET", `${pick(queries)}?${q}`);
        } else {
          const [method, path, valid] = pick(bodies);
          const body = valid();
          const keys = Object.keys(body);
          for (let m = 0; m < 1 + Math.floor(random() * 3); m++) {
            const roll = random();
            if (roll < 0.4 && keys.length) body[pick(keys)] = junk();
            else if (roll < 0.6 && keys.length) delete body[pick(keys)];
            else if (roll < 0.8) body[pick(["x", "__proto__", "memory_gb", "notification_email"])] = junk();
            else body.launch_specification = pick([junk(), { ssh_keys: junk(), volumes: [] }, { ssh_keys: [], volumes: junk() }, { ssh_keys: [], volumes: [], startup_script: junk() }]);
          }
          reply = await call(emu, method, path(), body);
        }
        if (reply.status >= 500) throw new Error(`${reply.status}: ${JSON.stringify(reply.body).slice(0, 500)}`);
        if (reply.status >= 400) {
          expect(reply.body).toHaveProperty("detail");
          expect(await world()).toEqual(before);
        } else accepted++;
      }
      expect(accepted).toBeGreaterThan(10);
      expect(emu.openApiViolations()).toEqual([]);
    } finally {
      await emu.close();
    }
  });
});

describe("OpenAPI response validation", () => {
  it("catches a response that breaks the document, and an undocumented status", () => {
    const check = new OpenApiResponses(loadLiveOpenApi());
    expect(check.check("GET", "/v2/projects", 200, [{ fid: "proj_1", name: "p", created_at: "2026-01-01T00:00:00Z" }])).toBeUndefined();
    expect(check.check("GET", "/v2/projects", 200, [{ fid: "proj_1" }])).toContain("must have required property 'name'");
    expect(check.check("GET", "/v2/spot/bids/{fid}", 200, { fid: "bid_1", status: "running" })).toBeDefined();
    expect(check.check("POST", "/v2/volumes", 200, {})).toContain("status 200 is not among the documented responses");
    expect(check.check("GET", "/v2/volumes", 404, { detail: "No such thing" })).toBeUndefined();
    expect(check.check("GET", "/v2/volumes", 404, { error: { code: "NOT_FOUND" } })).toContain("must have required property 'detail'");
    expect(check.violations).toHaveLength(4);
  });

  it("turns a violating response into a 500 that names it", async () => {
    // A document in which /v2/me must carry a field the emulator never sends.
    const doc = loadLiveOpenApi() as { components: { schemas: Record<string, { required: string[] }> } };
    doc.components.schemas.MeResponse.required = [...doc.components.schemas.MeResponse.required, "never_sent"];
    const { writeFile, mkdtemp, rm } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const dir = await mkdtemp(`${tmpdir()}/openapi-`);
    await writeFile(`${dir}/openapi.json`, JSON.stringify(doc));
    const emu = await startTest({ dialect: "mithril", validateResponsesAgainst: `${dir}/openapi.json` });
    try {
      const reply = await call(emu, "GET", "/v2/me");
      expect(reply.status).toBe(500);
      expect(reply.body.detail).toContain("GET /v2/me -> 200");
      expect(reply.body.detail).toContain("never_sent");
      expect(emu.openApiViolations()).toHaveLength(1);
    } finally {
      await emu.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("choosing the dialect", () => {
  it("serves the seed by default, mithril with --dialect or FCP_EMULATOR_DIALECT", async () => {
    const seed = await startTest();
    expect(seed.dialect).toBe("seed");
    expect((await call(seed, "GET", "/v2/spot/bids/bid_x")).body.error.code).toBe("NOT_FOUND");
    await seed.close();

    const cli = await startCli(["--dialect", "mithril", "--instances", "none"]);
    try {
      const reply = await call({ url: cli.url, apiKey: "fcp-dev-key" }, "GET", "/v2/instances");
      expect(reply.body.detail[0].loc).toEqual(["query", "project"]);
    } finally {
      cli.child.kill("SIGTERM");
      await cli.exited;
    }
    const bad = await failingCli(["--dialect", "live"]);
    expect(bad.stderr).toContain("seed, mithril");
  });

  it("reads FCP_EMULATOR_DIALECT and refuses a value that names no dialect", async () => {
    const before = process.env.FCP_EMULATOR_DIALECT;
    process.env.FCP_EMULATOR_DIALECT = "mithril";
    try {
      const emu = await startTest();
      expect(emu.dialect).toBe("mithril");
      await emu.close();
      process.env.FCP_EMULATOR_DIALECT = "v3";
      await expect(startTest()).rejects.toThrow('FCP_EMULATOR_DIALECT must be one of seed, mithril; got "v3".');
    } finally {
      if (before === undefined) delete process.env.FCP_EMULATOR_DIALECT;
      else process.env.FCP_EMULATOR_DIALECT = before;
    }
  });
});
