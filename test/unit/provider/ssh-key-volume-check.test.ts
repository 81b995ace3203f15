import * as sshKey from "../../../src/provider/ssh-key-provider";
import * as volume from "../../../src/provider/volume-provider";
import { generateEd25519KeyPair } from "../../../src/ssh/generate-key-pair";

const pair = generateEd25519KeyPair("me@laptop");

describe("SshKey check", () => {
  it("accepts an OpenSSH public key and trims it", async () => {
    const r = await sshKey.check({}, { resourceName: "k", publicKey: `${pair.publicKey}\n` });
    expect(r.failures).toBeUndefined();
    expect((r.inputs as Record<string, unknown>).publicKey).toBe(pair.publicKey.trim());
  });

  it.each([
    ["a private key", pair.privateKey, /private key.*public half/],
    ["garbage", "not a key", /Not an OpenSSH public key/],
    ["a truncated key", "ssh-ed25519 AAAA", /Not a valid OpenSSH public key|Not an OpenSSH/],
  ])("refuses %s without echoing it", async (_what, publicKey, reason) => {
    const r = await sshKey.check({}, { resourceName: "k", publicKey });
    expect(r.failures).toEqual([{ property: "publicKey", reason: expect.stringMatching(reason) }]);
    expect(JSON.stringify(r.failures)).not.toContain("PRIVATE KEY-----\n");
  });

  it("computes the fingerprint ssh-keygen prints", () => {
    expect(sshKey.fingerprint(pair.publicKey)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it("a generated key is no change on the next run; a new public key replaces it", async () => {
    const olds = { resourceName: "k", name: "k-1", publicKey: pair.publicKey, generated: true, keyId: "ssh-key_1" };
    expect(await sshKey.diff("ssh-key_1", olds, { resourceName: "k", name: "k-1" })).toEqual({ changes: false, replaces: [] });
    const other = generateEd25519KeyPair("other").publicKey;
    expect(await sshKey.diff("ssh-key_1", olds, { resourceName: "k", name: "k-1", publicKey: other })).toEqual({
      changes: true,
      replaces: ["publicKey"],
    });
  });
});

describe("Volume check and diff", () => {
  it("defaults to block and keeps its generated name", async () => {
    const first = (await volume.check({}, { resourceName: "data", sizeGb: 10, region: "us-central1-a" })).inputs as Record<string, unknown>;
    expect(first).toMatchObject({ interface: "block", sizeGb: 10, detachTimeoutMinutes: 10 });
    const again = (await volume.check(first, { resourceName: "data", sizeGb: 10, region: "us-central1-a" })).inputs as Record<string, unknown>;
    expect(again.name).toBe(first.name);
  });

  it.each([
    [{ sizeGb: 0 }, "sizeGb"],
    [{ sizeGb: 1.5 }, "sizeGb"],
    [{ interface: "nfs" }, "interface"],
  ])("reports %j on its property", async (change, property) => {
    const r = await volume.check({}, { resourceName: "data", sizeGb: 10, region: "us-central1-a", ...change });
    expect(r.failures).toEqual([expect.objectContaining({ property })]);
  });

  it.each([
    [{ sizeGb: 20 }, ["sizeGb"]],
    [{ interface: "file" }, ["interface"]],
    [{ region: "eu-central1-a" }, ["region"]],
  ])("replaces on %j", async (change, replaces) => {
    const olds = { resourceName: "data", name: "data-1", sizeGb: 10, interface: "block", region: "us-central1-a", detachTimeoutMinutes: 10 };
    expect(await volume.diff("vol_1", olds, { ...olds, ...change })).toEqual({ changes: true, replaces });
  });
});
