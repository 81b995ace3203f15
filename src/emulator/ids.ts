// FIDs with the seed's prefixes and a random-looking tail. The tail is a hash of the emulator's
// seed and a counter, so a seeded emulator hands out the same FIDs run after run and a restarted
// one never reuses an FID (the counter is saved with the state).
import { createHash, randomBytes } from "node:crypto";
import { FID_PREFIX, type FidKind } from "../fcp-api/schemas/common";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

export function fidFor(kind: FidKind, seed: number, discriminator: string): string {
  const digest = createHash("sha256").update(`${seed}:${kind}:${discriminator}`).digest();
  let tail = "";
  for (let i = 0; i < 16; i++) tail += ALPHABET[digest[i] % ALPHABET.length];
  return `${FID_PREFIX[kind]}${tail}`;
}

export function randomRequestId(): string {
  return `${FID_PREFIX.request}${randomBytes(8).toString("hex")}`;
}
