import { SecretsError } from "../../../src/testing";
import { makeSecret, SECRET_SIG, SIG_KEY } from "../../../src/testing/property-values";
import { SecretsCrypter } from "../../../src/testing/secrets";

describe("SecretsCrypter", () => {
  let crypter: SecretsCrypter;
  beforeAll(async () => {
    crypter = await SecretsCrypter.open("passphrase");
  });

  test("round-trips text with a fresh IV each time", () => {
    const a = crypter.encrypt("hello");
    const b = crypter.encrypt("hello");
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1:/);
    expect(crypter.decrypt(a)).toBe("hello");
  });

  test("reopens with the same passphrase and header", async () => {
    const again = await SecretsCrypter.open("passphrase", crypter.header);
    expect(again.decrypt(crypter.encrypt("x"))).toBe("x");
  });

  test("refuses a different passphrase, saying what to do", async () => {
    await expect(SecretsCrypter.open("other", crypter.header)).rejects.toThrow(SecretsError);
    await expect(SecretsCrypter.open("other", crypter.header)).rejects.toThrow(/does not match.*use the original passphrase/);
  });

  test("refuses an empty passphrase", async () => {
    await expect(SecretsCrypter.open("")).rejects.toThrow(/passphrase is empty/);
  });

  test("detects an edited ciphertext", () => {
    const c = crypter.encrypt("hello");
    const raw = Buffer.from(c.slice(3), "base64");
    raw[14] ^= 1;
    expect(() => crypter.decrypt(`v1:${raw.toString("base64")}`)).toThrow(/failed authentication/);
    expect(() => crypter.decrypt("v9:abc")).toThrow(/unknown format "v9"/);
  });

  test("encrypts secrets where they sit and leaves everything else readable", () => {
    const value = { plain: 1, nested: { s: makeSecret({ k: ["v"] }) }, list: [makeSecret("x")] };
    const encrypted = crypter.encryptValue(value);
    expect(JSON.stringify(encrypted)).not.toContain('"v"');
    expect(encrypted).toEqual({
      plain: 1,
      nested: { s: { [SIG_KEY]: SECRET_SIG, ciphertext: expect.stringMatching(/^v1:/) } },
      list: [{ [SIG_KEY]: SECRET_SIG, ciphertext: expect.stringMatching(/^v1:/) }],
    });
    expect(crypter.decryptValue(encrypted)).toEqual(value);
  });
});
