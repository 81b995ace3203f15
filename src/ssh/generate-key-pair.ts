// An ed25519 pair in OpenSSH format, generated locally with ssh2.
import { utils } from "ssh2";
import { ProviderError } from "../fcp-api/errors";

const ATTEMPTS = 8;

/**
 * ssh2 1.17 strips a leading zero byte from the ed25519 public key, so about 1 pair in 256 is
 * malformed (mscdex/ssh2#1390, #1513) and FCP rejects it. Such a pair is thrown away: a pair is
 * returned only when both halves parse and belong together.
 */
export function generateEd25519KeyPair(comment: string): { privateKey: string; publicKey: string } {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const pair = utils.generateKeyPairSync("ed25519", { comment });
    const priv = utils.parseKey(pair.private);
    const pub = utils.parseKey(pair.public);
    if (priv instanceof Error || pub instanceof Error) continue;
    if (!priv.getPublicSSH().equals(pub.getPublicSSH())) continue;
    return { privateKey: pair.private, publicKey: pair.public.trim() };
  }
  throw new ProviderError(`Could not generate a valid ed25519 key pair in ${ATTEMPTS} attempts.`, {
    suggestions: ["Pass publicKey with a key made by ssh-keygen -t ed25519."],
  });
}
