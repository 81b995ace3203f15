// Raw HTTP against a running emulator, with nothing between the test and the wire.
import { request } from "undici";
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../../../src/emulator";

export const A100 = "it_MsIRhxj3ccyVWGfP";
export const A100_2X = "it_5M6aGxGovNeX5ltT";
export const H100_8X = "it_5ECSoHQjLBzrp5YM";
export const H100_PCIE = "it_XqgKWbhZ5gznAYsG";

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- test assertions read arbitrary JSON
}

export interface CallOptions {
  /** Bearer key; null sends no Authorization header. @default - the emulator's key */
  key?: string | null;
  /** Send this text as the body instead of JSON. */
  raw?: string;
  headers?: Record<string, string>;
}

export async function call(emu: { url: string; apiKey: string }, method: string, path: string, body?: unknown, options: CallOptions = {}): Promise<Reply> {
  const key = options.key === undefined ? emu.apiKey : options.key;
  const headers: Record<string, string> = { ...options.headers };
  if (key !== null) headers.authorization = `Bearer ${key}`;
  let payload: string | undefined;
  if (options.raw !== undefined) payload = options.raw;
  else if (body !== undefined) payload = JSON.stringify(body);
  if (payload !== undefined) headers["content-type"] = "application/json";
  const res = await request(`${emu.url}${path}`, { method: method as "GET", headers, body: payload });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

export function startTest(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  // These tests are about the API and the market; test/integration/instances boots instances.
  return startEmulator({ seed: 1234, instances: "none", ...options });
}

/** A valid bid body for the seeded project; override any field. */
export function bidBody(emu: RunningEmulator, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    project: emu.projectFid,
    region: "us-central1-a",
    instance_type: A100,
    limit_price: "$3.00",
    ssh_keys: [],
    startup_script: "#!/bin/bash\necho hello\n",
    name: "test-bid",
    instance_quantity: 1,
    ...overrides,
  };
}

export async function listAll(emu: RunningEmulator, path: string, query = ""): Promise<any[]> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const out = [];
  let cursor: string | null = null;
  do {
    const sep = query ? "&" : "";
    const reply: Reply = await call(emu, "GET", `${path}?${query}${sep}limit=1000${cursor ? `&next_cursor=${encodeURIComponent(cursor)}` : ""}`);
    if (reply.status !== 200) throw new Error(`GET ${path} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
    out.push(...reply.body.data);
    cursor = reply.body.next_cursor;
  } while (cursor);
  return out;
}
