// SSH keys. Without `public_key` the server makes an ed25519 pair and returns `private_key`
// in that one response; only the public half is kept.
import { utils } from "ssh2";
import { createSshKeyRequestWire } from "../../fcp-api/schemas/ssh-key";
import { ok, type ApiHandler } from "../api";
import { invalid, notFound, show } from "../problem";
import { generateEd25519KeyPair } from "../../ssh/generate-key-pair";
import { ownRecord } from "../state";
import { sshKeyView } from "../views";
import { checkProject, parseBody, rejectUnknownFields, requireObject } from "../validation";

const SSH_KEY_FIELDS = ["name", "project", "public_key"] as const;
const SSH_KEY_MISTAKES: Record<string, string> = {
  key: 'Use "public_key" for the OpenSSH public key ("ssh-ed25519 AAAA... comment"), or leave it out to have a pair generated.',
  private_key: "Never send a private key. Send its public half as public_key, or leave public_key out to have a pair generated.",
};

/** One line in OpenSSH format, of a type ssh2 can parse. */
export function checkPublicKey(value: string): string {
  const line = value.trim();
  if (/PRIVATE KEY/.test(line)) {
    throw invalid("public_key", "<redacted>", "public_key holds a private key. Never send a private key: send the .pub file's line instead.");
  }
  const parsed = utils.parseKey(line);
  if (parsed instanceof Error || (Array.isArray(parsed) ? parsed.length !== 1 : false) || line.includes("\n")) {
    throw invalid("public_key", value, 'public_key must be one OpenSSH public key line such as "ssh-ed25519 AAAA... you@host".');
  }
  return line;
}

export const createSshKey: ApiHandler = async (req, { store }) => {
  const body = requireObject(req.body);
  rejectUnknownFields(body, SSH_KEY_FIELDS, SSH_KEY_MISTAKES);
  const input = parseBody(createSshKeyRequestWire, body);
  const given = input.public_key === undefined ? undefined : checkPublicKey(input.public_key);
  // Generated before the change so the change itself cannot fail half way.
  const pair = given === undefined ? generateEd25519KeyPair(input.name) : undefined;
  const publicKey = given ?? pair?.publicKey ?? "";

  const view = await store.change(
    (state, { now, newFid }) => {
      const project = checkProject(state, "project", input.project);
      const { fid, seq } = newFid("sshKey");
      state.sshKeys[fid] = { seq, fid, name: input.name, project: project.fid, publicKey, createdAt: now };
      return fid;
    },
    (fid, state) => sshKeyView(state.sshKeys[fid]),
  );
  return { status: 201, body: pair ? { ...view, private_key: pair.privateKey } : view };
};

export const listSshKeys: ApiHandler = async (req, { store }) => {
  const project = req.query.get("project");
  return store.read((state) => ok(Object.values(state.sshKeys).filter((k) => project === null || k.project === project).map(sshKeyView)));
};

export const deleteSshKey: ApiHandler = async (req, { store }) => {
  await store.change((state) => {
    const fid = req.params.fid;
    if (!ownRecord(state.sshKeys, fid)) throw notFound(`No SSH key ${show(fid)}. GET /v2/ssh-keys lists them.`, { field: "key_id", value: fid });
    delete state.sshKeys[fid];
  });
  return { status: 204 };
};
