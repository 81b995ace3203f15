// A server-generated SSH key in the mithril dialect is RSA, as the live service makes them.
import { utils } from "ssh2";

/** 3072 bits: ssh-keygen's default for RSA. Generated off the event loop. */
export function generateRsaKeyPair(comment: string): Promise<{ privateKey: string; publicKey: string }> {
  return new Promise((resolve, reject) => {
    utils.generateKeyPair("rsa", { bits: 3072, comment }, (err, pair) => {
      if (err) reject(err);
      else resolve({ privateKey: pair.private, publicKey: pair.public.trim() });
    });
  });
}
