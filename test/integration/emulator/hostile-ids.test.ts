// Issue 12: ids such as __proto__ must name nothing. Over real HTTP: every one is a 404, and
// Object.prototype stays clean for the rest of the process.
import { request } from "undici";
import { startEmulator, type RunningEmulator } from "../../../src/emulator";

describe("emulator with hostile ids", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator({ seed: 3, provisionSeconds: 0 });
  });
  afterAll(async () => {
    await emu.close();
  });

  const ids = ["__proto__", "constructor", "toString", "hasOwnProperty"];
  const calls: Array<[string, string, unknown]> = [];
  for (const id of ids) {
    calls.push(["PATCH", `/v2/spot/bids/${id}`, { limit_price: "$1.00" }]);
    calls.push(["PATCH", `/v2/spot/bids/${id}`, { paused: true }]);
    calls.push(["DELETE", `/v2/spot/bids/${id}`, undefined]);
    calls.push(["DELETE", `/v2/volumes/${id}`, undefined]);
    calls.push(["DELETE", `/v2/ssh-keys/${id}`, undefined]);
  }

  it.each(calls)("%s %s answers 404 and leaves Object.prototype alone", async (method, path, body) => {
    const res = await request(emu.url + path, {
      method: method as "PATCH" | "DELETE",
      headers: { authorization: `Bearer ${emu.apiKey}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.body.text();
    expect(res.statusCode).toBe(404);
    expect(text).not.toContain("native code");
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(Object.getOwnPropertyNames(Object.getPrototypeOf({})).sort());
    expect(({} as Record<string, unknown>).limitCents).toBeUndefined();
    expect(({} as Record<string, unknown>).paused).toBeUndefined();
    expect(({} as Record<string, unknown>).status).toBeUndefined();
  });
});

// Body keys and values that name Object.prototype members are unknown fields or unknown names,
// answered 422 with a message that names them, never a 500 or a function's source.
describe("emulator with hostile body keys", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator({ seed: 4, provisionSeconds: 0, instances: "none" });
  });
  afterAll(async () => {
    await emu.close();
  });

  const send = async (method: string, path: string, raw: string) => {
    const res = await request(emu.url + path, {
      method: method as "POST",
      headers: { authorization: `Bearer ${emu.apiKey}`, "content-type": "application/json" },
      body: raw,
    });
    return { status: res.statusCode, text: await res.body.text() };
  };

  const keys = ["__proto__", "constructor", "toString", "hasOwnProperty"];
  const bid = (emuProject: string) => ({
    project: emuProject,
    region: "us-central1-a",
    instance_type: "it_MsIRhxj3ccyVWGfP",
    limit_price: "$3.00",
    name: "hostile",
    instance_quantity: 1,
  });

  it.each(keys)("POST /v2/spot/bids with body key %s is a 422 naming the field", async (key) => {
    const raw = JSON.stringify(bid(emu.projectFid)).replace(/^\{/, `{${JSON.stringify(key)}:{"polluted":true},`);
    const reply = await send("POST", "/v2/spot/bids", raw);
    expect(reply.status).toBe(422);
    expect(reply.text).toContain(`Unknown field \\"${key}\\"`);
    expect(reply.text).not.toContain("native code");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each(keys)("POST /v2/volumes with body key %s is a 422", async (key) => {
    const reply = await send("POST", "/v2/volumes", `{${JSON.stringify(key)}:1,"name":"v","project":"${emu.projectFid}","region":"us-central1-a","size_gb":10}`);
    expect(reply.status).toBe(422);
    expect(reply.text).not.toContain("native code");
  });

  it.each(keys)("PATCH /v2/spot/bids/{fid} with body key %s is a 422", async (key) => {
    const created = await send("POST", "/v2/spot/bids", JSON.stringify({ ...bid(emu.projectFid), name: `patch-${key.replace(/_/g, "")}` }));
    expect(created.status).toBe(201);
    const fid = (JSON.parse(created.text) as { fid: string }).fid;
    const reply = await send("PATCH", `/v2/spot/bids/${fid}`, `{${JSON.stringify(key)}:{"paused":true}}`);
    expect(reply.status).toBe(422);
    expect(reply.text).not.toContain("native code");
    expect(({} as Record<string, unknown>).paused).toBeUndefined();
  });

  it.each(keys)("instance type or region %s is a 422 that names it", async (name) => {
    const asType = await send("POST", "/v2/spot/bids", JSON.stringify({ ...bid(emu.projectFid), instance_type: name }));
    expect(asType.status).toBe(422);
    expect(asType.text).toContain(JSON.stringify(JSON.stringify(name)).slice(1, -1));
    expect(asType.text).not.toContain("native code");
    const asRegion = await send("POST", "/v2/spot/bids", JSON.stringify({ ...bid(emu.projectFid), region: name }));
    expect(asRegion.status).toBe(422);
    const market = await send("POST", "/_emulator/market", JSON.stringify({ instance_type: name, region: "us-central1-a", price: "$1.00", capacity: 1 }));
    expect(market.status).toBe(422);
    expect(market.text).not.toContain("native code");
    const project = await send("POST", "/v2/spot/bids", JSON.stringify({ ...bid(emu.projectFid), project: name }));
    expect(project.status).toBe(422);
  });

  it("the emulator still works afterwards", async () => {
    const reply = await send("POST", "/v2/spot/bids", JSON.stringify({ ...bid(emu.projectFid), name: "after" }));
    expect(reply.status).toBe(201);
  });
});

// Query values and path ids everywhere else: never a 500, never Object's prototype.
describe("emulator with hostile query values", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator({ seed: 8, provisionSeconds: 0, instances: "none" });
  });
  afterAll(async () => {
    await emu.close();
  });

  const names = ["__proto__", "constructor", "toString", "hasOwnProperty"];
  const paths = names.flatMap((n) => [
    `/v2/spot/bids?project=${n}`,
    `/v2/spot/bids?instance_type=${n}`,
    `/v2/spot/bids?status=${n}`,
    `/v2/spot/bids?next_cursor=${n}`,
    `/v2/volumes?project=${n}`,
    `/v2/ssh-keys?project=${n}`,
    `/v2/instances?bid=${n}`,
    `/v2/instances?project=${n}`,
    `/_emulator/bids/${n}/end`,
  ]);

  it.each(paths)("%s is answered without a 500 or a function's source", async (path) => {
    const method = path.startsWith("/_emulator/") ? "POST" : "GET";
    const res = await request(emu.url + path, {
      method,
      headers: { authorization: `Bearer ${emu.apiKey}`, "content-type": "application/json" },
      body: method === "POST" ? JSON.stringify({ status: "preempted" }) : undefined,
    });
    const text = await res.body.text();
    expect([path, res.statusCode < 500]).toEqual([path, true]);
    expect(text).not.toContain("native code");
    expect(text).not.toContain("[object Object]");
  });
});
