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
