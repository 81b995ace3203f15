// Bearer API keys. Keys are held only as SHA-256 digests and compared in constant time; no
// message ever repeats the key that was sent.
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { ApiProblem } from "./problem";

export class ApiKeys {
  private readonly digests: Buffer[];

  constructor(keys: readonly string[]) {
    if (keys.length === 0) throw new Error("fcp-emulator needs at least one API key.");
    for (const key of keys) {
      if (key.trim() === "" || /\s/.test(key)) throw new Error("An API key must be non-empty and contain no whitespace.");
    }
    this.digests = keys.map(digest);
  }

  /** Throws a 401 unless the request carries one of the keys as a bearer token. */
  authenticate(headers: IncomingHttpHeaders): void {
    const header = headers.authorization;
    if (!header) {
      throw new ApiProblem(401, "UNAUTHORIZED", "Missing Authorization header. Send 'Authorization: Bearer <FCP API key>'.");
    }
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) {
      throw new ApiProblem(401, "UNAUTHORIZED", "The Authorization header must be 'Bearer <FCP API key>'.");
    }
    const sent = digest(m[1]);
    if (!this.digests.some((d) => timingSafeEqual(d, sent))) {
      throw new ApiProblem(401, "UNAUTHORIZED", "The API key is not valid. Check FCP_API_KEY (or the key the emulator was started with).");
    }
  }
}

function digest(key: string): Buffer {
  return createHash("sha256").update(key).digest();
}
