// Secret values in the state file: AES-256-GCM with a key derived from the passphrase by scrypt.
// Each secret is stored where it sits in the state, as Pulumi's checkpoints do:
// `{ "<sig>": "<secret sig>", "ciphertext": "v1:..." }`, so the plaintext never reaches disk.
import { createCipheriv, createDecipheriv, randomBytes, scrypt } from "node:crypto";
import { z } from "zod";
import { SecretsError } from "./errors";
import { isObject, SECRET_SIG, SIG_KEY, type PropertyMap, type PropertyValue } from "./property-values";

export const secretsHeaderSchema = z.object({
  kdf: z.literal("scrypt"),
  salt: z.string().min(1),
  N: z.number().int().positive(),
  r: z.number().int().positive(),
  p: z.number().int().positive(),
  /** A known plaintext, encrypted, to tell a wrong passphrase from a damaged file. */
  check: z.string().min(1),
});
export type SecretsHeader = z.infer<typeof secretsHeaderSchema>;

const CHECK_PLAINTEXT = "pulumi-fcp LocalEngine secrets check";
const DEFAULT_COST = { N: 1 << 15, r: 8, p: 1 };
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT = "v1";

function deriveKey(passphrase: string, salt: Buffer, cost: { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxmem must exceed 128 * N * r, or Node refuses the parameters.
    scrypt(passphrase, salt, 32, { ...cost, maxmem: 256 * cost.N * cost.r }, (err, key) =>
      err ? reject(new SecretsError(`deriving the secrets key failed: ${err.message}`, { cause: err })) : resolve(key),
    );
  });
}

export class SecretsCrypter {
  private constructor(
    private readonly key: Buffer,
    readonly header: SecretsHeader,
  ) {}

  /**
   * Opens the crypter of an existing state file (checking the passphrase against its header),
   * or creates a fresh salt when there is no header yet.
   */
  static async open(passphrase: string, header?: SecretsHeader): Promise<SecretsCrypter> {
    if (passphrase.length === 0) {
      throw new SecretsError("the secrets passphrase is empty; pass a non-empty secretsPassphrase.");
    }
    if (header) {
      const key = await deriveKey(passphrase, Buffer.from(header.salt, "base64"), header);
      const crypter = new SecretsCrypter(key, header);
      let check: string | undefined;
      try {
        check = crypter.decrypt(header.check);
      } catch {
        check = undefined;
      }
      if (check !== CHECK_PLAINTEXT) {
        throw new SecretsError(
          "the secrets passphrase does not match the one this state file was written with; " +
            "use the original passphrase (or delete the state file to start a new stack).",
        );
      }
      return crypter;
    }
    const salt = randomBytes(16);
    const key = await deriveKey(passphrase, salt, DEFAULT_COST);
    const draft = new SecretsCrypter(key, { kdf: "scrypt", salt: salt.toString("base64"), ...DEFAULT_COST, check: "-" });
    return new SecretsCrypter(key, { ...draft.header, check: draft.encrypt(CHECK_PLAINTEXT) });
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return `${FORMAT}:${Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64")}`;
  }

  decrypt(ciphertext: string): string {
    const [format, payload] = ciphertext.split(":", 2);
    if (format !== FORMAT || payload === undefined) {
      throw new SecretsError(`a secret in the state file has an unknown format "${format}".`);
    }
    const raw = Buffer.from(payload, "base64");
    if (raw.length < IV_BYTES + TAG_BYTES) {
      throw new SecretsError("a secret in the state file is truncated.");
    }
    const decipher = createDecipheriv("aes-256-gcm", this.key, raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString(
        "utf8",
      );
    } catch (err) {
      throw new SecretsError("a secret in the state file failed authentication (wrong passphrase or edited file).", {
        cause: err,
      });
    }
  }

  /** The value with each secret replaced by its ciphertext form, ready for the state file. */
  encryptValue(value: PropertyValue): PropertyValue {
    if (isObject(value) && value[SIG_KEY] === SECRET_SIG) {
      return { [SIG_KEY]: SECRET_SIG, ciphertext: this.encrypt(JSON.stringify(value.value ?? null)) };
    }
    if (Array.isArray(value)) {
      return value.map((v) => this.encryptValue(v));
    }
    if (isObject(value)) {
      return mapValues(value, (v) => this.encryptValue(v));
    }
    return value;
  }

  /** The inverse of {@link encryptValue}: ciphertext forms become `{ sig, value }` secrets. */
  decryptValue(value: PropertyValue): PropertyValue {
    if (isObject(value) && value[SIG_KEY] === SECRET_SIG) {
      if (typeof value.ciphertext === "string") {
        return { [SIG_KEY]: SECRET_SIG, value: JSON.parse(this.decrypt(value.ciphertext)) as PropertyValue };
      }
      return value;
    }
    if (Array.isArray(value)) {
      return value.map((v) => this.decryptValue(v));
    }
    if (isObject(value)) {
      return mapValues(value, (v) => this.decryptValue(v));
    }
    return value;
  }
}

function mapValues(map: PropertyMap, fn: (v: PropertyValue) => PropertyValue): PropertyMap {
  const out: PropertyMap = {};
  for (const [k, v] of Object.entries(map)) {
    out[k] = fn(v);
  }
  return out;
}
