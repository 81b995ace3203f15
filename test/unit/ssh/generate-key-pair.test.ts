import { utils } from "ssh2";
import { generateEd25519KeyPair } from "../../../src/ssh/generate-key-pair";

// Regression: ssh2's own generator gives a malformed pair about once in 256 (a public key FCP
// rejected in CI). 2,000 pairs would meet one with near certainty.
test("every generated pair parses, and its halves belong together", () => {
  for (let i = 0; i < 2000; i++) {
    const { privateKey, publicKey } = generateEd25519KeyPair(`k${i}`);
    const priv = utils.parseKey(privateKey);
    const pub = utils.parseKey(publicKey);
    if (priv instanceof Error || pub instanceof Error) throw new Error(`pair ${i} is malformed: ${publicKey}`);
    expect(priv.getPublicSSH().equals(pub.getPublicSSH())).toBe(true);
    expect(publicKey).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/]{43} k\d+$/);
  }
});
