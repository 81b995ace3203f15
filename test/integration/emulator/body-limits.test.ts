// Issue 12: oversized bodies get a 413 the client can read, whatever the transfer encoding, and
// slow clients get a 408 within a bounded time without disturbing anyone else. Real sockets.
import { request as httpRequest } from "node:http";
import { connect, type Socket } from "node:net";
import { startEmulator, type RunningEmulator } from "../../../src/emulator";
import { call } from "./helpers";

interface RawReply {
  status: number;
  body: string;
}

/** Sends `total` bytes in 64 KiB chunks, chunked or with a Content-Length, and reads the answer. */
function sendLargeBody(emu: RunningEmulator, total: number, chunked: boolean): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { authorization: `Bearer ${emu.apiKey}`, "content-type": "application/json" };
    if (!chunked) headers["content-length"] = String(total);
    const req = httpRequest(`${emu.url}/v2/spot/bids`, { method: "POST", headers });
    req.on("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", reject);
    });
    // Writes after the answer may fail once the server stops reading; the answer is what counts.
    req.on("error", () => undefined);
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once("drain", pump);
          return;
        }
      }
      req.end();
    };
    pump();
  });
}

/** A raw TCP client: writes `text`, then reads until the server closes. */
function rawClient(emu: RunningEmulator, text: string): { socket: Socket; reply: Promise<string> } {
  const socket = connect(emu.port, emu.host);
  socket.write(text);
  const reply = new Promise<string>((resolve) => {
    let data = "";
    socket.setEncoding("utf8");
    socket.on("data", (c: string) => (data += c));
    socket.on("close", () => resolve(data));
    socket.on("error", () => undefined);
  });
  return { socket, reply };
}

describe("emulator body size limit", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator({ seed: 5, instances: "none" });
  });
  afterAll(async () => {
    await emu.close();
  });

  it.each([
    ["chunked", true],
    ["with a Content-Length", false],
  ])("a 10 MB body sent %s is answered 413 with a message", async (_how, chunked) => {
    const reply = await sendLargeBody(emu, 10 * 1024 * 1024, chunked);
    expect(reply.status).toBe(413);
    const parsed = JSON.parse(reply.body) as { error: { code: string; message: string } };
    expect(parsed.error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(parsed.error.message).toMatch(/limit is 1048576 bytes/);
  });

  it("a body just under the limit is read and checked as usual", async () => {
    const reply = await call(emu, "POST", "/v2/spot/bids", undefined, { raw: `{"name":"${"x".repeat(1000)}"` });
    expect(reply.status).toBe(400);
    expect(reply.body.error.message).toMatch(/not valid JSON/);
  });

  it("the emulator answers other requests after refusing large bodies", async () => {
    const reply = await call(emu, "GET", "/v2/projects");
    expect(reply.status).toBe(200);
  });
});

describe("emulator with slow clients", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator({ seed: 6, instances: "none", headersTimeoutMs: 400, requestTimeoutMs: 800 });
  });
  afterAll(async () => {
    await emu.close();
  });

  it("headers that never finish get a 408, and other clients are served meanwhile", async () => {
    const slow = rawClient(emu, `GET /v2/projects HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${emu.apiKey}\r\n`);
    // Served while the slow client still holds its connection.
    const other = await call(emu, "GET", "/v2/projects");
    expect(other.status).toBe(200);
    const reply = await slow.reply;
    expect(reply).toMatch(/^HTTP\/1\.1 408 /);
    expect(reply).toContain('"code":"REQUEST_TIMEOUT"');
    expect(reply).toMatch(/within 400 ms/);
  });

  it("a body that stops half way gets a 408, and other clients are served meanwhile", async () => {
    const head = `POST /v2/spot/bids HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${emu.apiKey}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n`;
    const slow = rawClient(emu, `${head}{"name":`);
    const other = await call(emu, "POST", "/v2/spot/bids", { name: "x" });
    expect(other.status).toBe(422);
    const reply = await slow.reply;
    expect(reply).toMatch(/^HTTP\/1\.1 408 /);
    expect(reply).toContain('"code":"REQUEST_TIMEOUT"');
    const after = await call(emu, "GET", "/v2/projects");
    expect(after.status).toBe(200);
  });

  it("refuses timeouts that are not positive", async () => {
    await expect(startEmulator({ instances: "none", requestTimeoutMs: 0 })).rejects.toThrow(/requestTimeoutMs must be a positive number/);
  });
});
