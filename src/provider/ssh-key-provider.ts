// SshKey's CRUD. A generated pair is made here, locally, with ssh2: only the public half is
// sent to FCP; the private half is an output the resource marks secret
// (`additionalSecretOutputs`), so state holds it encrypted, never in plaintext.
import { createHash } from "crypto";
import type * as pulumi from "@pulumi/pulumi";
import { utils } from "ssh2";
import { z } from "zod";
import { ValidationError } from "../fcp-api/errors";
import type { SshKey } from "../fcp-api/models";
import { autoName } from "./auto-name";
import { generateEd25519KeyPair } from "../ssh/generate-key-pair";
import { isUnknown, orUnknown, UNKNOWN, zodFailures } from "./check-failures";
import { plainJson } from "./plain-json";
import { withoutKeys, type Props } from "./props";
import { endpointOf, connectionFor } from "./settings";


const publicKeySchema = z.string().superRefine((value, ctx) => {
  const reason = publicKeyProblem(value);
  if (reason) ctx.addIssue({ code: "custom", message: reason });
});

const sshKeyInputsSchema = z.object({
  resourceName: z.string().min(1),
  name: orUnknown(z.string().min(1).max(128)).optional(),
  publicKey: orUnknown(publicKeySchema).optional(),
  adoptId: orUnknown(z.string().min(1)).optional(),
  apiUrl: orUnknown(z.string().url()).optional(),
  project: orUnknown(z.string().min(1)).optional(),
});
type SshKeyInputs = { resourceName: string; name: string; publicKey?: string; adoptId?: string; apiUrl?: string; project?: string };

const REPLACE_KEYS = ["name", "publicKey", "apiUrl", "project"] as const;
const OUTPUT_KEYS = ["keyId", "privateKey", "fingerprint", "__provider"];

export async function check(olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
  const parsed = sshKeyInputsSchema.safeParse(withoutKeys(news, OUTPUT_KEYS));
  if (!parsed.success) return { inputs: news, failures: zodFailures(parsed.error, news) };
  const name = autoName(parsed.data.resourceName, parsed.data.name, olds) ?? UNKNOWN;
  const publicKey = typeof parsed.data.publicKey === "string" && !isUnknown(parsed.data.publicKey) ? parsed.data.publicKey.trim() : parsed.data.publicKey;
  return { inputs: plainJson({ ...parsed.data, name, publicKey }) };
}

export async function diff(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> {
  // A generated key has no `publicKey` input, only the output of the same name: compare inputs.
  const oldInputs = olds.generated ? { ...olds, publicKey: undefined } : olds;
  const replaces = REPLACE_KEYS.filter((k) => isUnknown(news[k]) || JSON.stringify(oldInputs[k] ?? null) !== JSON.stringify(news[k] ?? null));
  return { changes: replaces.length > 0 || olds.adoptId !== news.adoptId, replaces: [...replaces] };
}

export async function create(inputs: Props): Promise<pulumi.dynamic.CreateResult> {
  const args = known(inputs);
  const { client } = connectionFor(args);
  if (args.adoptId) {
    const existing = (await client.listSshKeys()).find((k) => k.fid === args.adoptId);
    if (!existing) throw new ValidationError(`SSH key ${args.adoptId} does not exist.`, { field: "adoptId" });
    if (args.publicKey && existing.publicKey && keyBlob(existing.publicKey) !== keyBlob(args.publicKey)) {
      throw new ValidationError(`Cannot adopt SSH key ${args.adoptId}: its public key differs from publicKey.`, { field: "adoptId" });
    }
    return { id: existing.fid, outs: outputs(inputs, existing, undefined) };
  }
  let privateKey: string | undefined;
  let publicKey = args.publicKey;
  if (!publicKey) {
    ({ privateKey, publicKey } = generateEd25519KeyPair(args.name));
  }
  const key = await client.createSshKey({ name: args.name, publicKey });
  return { id: key.fid, outs: outputs(inputs, { ...key, publicKey: key.publicKey ?? publicKey }, privateKey) };
}

export async function update(id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> {
  // Only adoptId can change in place; keep what the key already is (and its private half).
  return { outs: plainJson({ ...olds, ...withoutKeys(news, ["__provider"]), publicKey: olds.publicKey, privateKey: olds.privateKey, keyId: id }) };
}

export async function read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
  const { client } = connectionFor(endpointOf(props));
  const key = (await client.listSshKeys()).find((k) => k.fid === id);
  if (!key) return {};
  return { id, props: outputs(props, { ...key, publicKey: key.publicKey ?? (props.publicKey as string) }, props.privateKey as string | undefined) };
}

export async function remove(id: string, props: Props): Promise<void> {
  const { client } = connectionFor(endpointOf(props));
  await client.deleteSshKey(id);
}

function outputs(inputs: Props, key: SshKey, privateKey: string | undefined): Props {
  const publicKey = key.publicKey ?? "";
  return plainJson({
    ...withoutKeys(inputs, ["__provider"]),
    keyId: key.fid,
    publicKey,
    fingerprint: publicKey ? fingerprint(publicKey) : "",
    generated: privateKey !== undefined || inputs.generated === true,
    ...(privateKey !== undefined ? { privateKey } : {}),
  });
}

function known(inputs: Props): SshKeyInputs {
  const parsed = sshKeyInputsSchema.safeParse(withoutKeys(inputs, OUTPUT_KEYS));
  if (!parsed.success || Object.values(parsed.data).some(isUnknown)) throw new ValidationError("SshKey inputs are not valid at apply time.");
  return parsed.data as SshKeyInputs;
}

/** Why a string is not an OpenSSH public key, or undefined when it is one. */
export function publicKeyProblem(value: string): string | undefined {
  const trimmed = value.trim();
  if (/PRIVATE KEY/.test(trimmed)) return "This is a private key. Pass the public half (the .pub file), never the private key.";
  if (!/^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp\d+|sk-\S+) [A-Za-z0-9+/=]+( .*)?$/.test(trimmed)) {
    return 'Not an OpenSSH public key: expected one line like "ssh-ed25519 AAAA... comment" (the contents of a .pub file).';
  }
  const parsed = utils.parseKey(trimmed);
  if (parsed instanceof Error) return `Not a valid OpenSSH public key: ${parsed.message}.`;
  return undefined;
}

function keyBlob(publicKey: string): string {
  return publicKey.trim().split(/\s+/).slice(0, 2).join(" ");
}

/** `SHA256:...`, as `ssh-keygen -lf` prints it. */
export function fingerprint(publicKey: string): string {
  const blob = Buffer.from(publicKey.trim().split(/\s+/)[1] ?? "", "base64");
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}
