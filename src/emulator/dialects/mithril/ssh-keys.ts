// SSH keys in the mithril dialect: `sshkey_` FIDs, server-generated keys are RSA, the `required`
// flag and PATCH to change it.
import { ok, type ApiHandler } from "../../api";
import { notFound, show } from "../../problem";
import { checkPublicKey } from "../../routes/ssh-keys";
import { ownRecord, type EmulatorState } from "../../state";
import { checkProject } from "../../validation";
import { createSshKeyRequest, parseMithrilBody, parseMithrilQuery, updateSshKeyRequest } from "./requests";
import { sshKeyView } from "./views";
import { generateRsaKeyPair } from "./rsa-key-pair";

/** The live service's SSH key FIDs start `sshkey_`; the seed's `ssh-key_`. */
const SSH_KEY_PREFIX = "sshkey_";

export const listSshKeys: ApiHandler = async (req, { store }) => {
  const q = parseMithrilQuery({ project: { t: "str" } }, ["project"], req.query);
  return store.read((state) => {
    checkProject(state, "project", q.project);
    return ok(Object.values(state.sshKeys).filter((k) => k.project === q.project).map(sshKeyView));
  });
};

export const createSshKey: ApiHandler = async (req, { store }) => {
  const input = parseMithrilBody(createSshKeyRequest, req.body);
  const name = input.name as string;
  const given = typeof input.public_key === "string" ? checkPublicKey(input.public_key) : undefined;
  // Generated before the change so the change itself cannot fail half way.
  const pair = given === undefined ? await generateRsaKeyPair(name) : undefined;
  const publicKey = given ?? pair?.publicKey ?? "";
  const view = await store.change(
    (state, { now, newFid }) => {
      const project = checkProject(state, "project", input.project);
      const { seq, fid: seedFid } = newFid("sshKey");
      const fid = `${SSH_KEY_PREFIX}${seedFid.slice(seedFid.indexOf("_") + 1)}`;
      state.sshKeys[fid] = { seq, fid, name, project: project.fid, publicKey, required: input.required === true, createdAt: now };
      return fid;
    },
    (fid, state) => sshKeyView(state.sshKeys[fid]),
  );
  return { status: 201, body: { ...view, private_key: pair ? pair.privateKey : null } };
};

function readSshKey(state: EmulatorState, fid: string) {
  const key = ownRecord(state.sshKeys, fid);
  if (!key) throw notFound(`No SSH key ${show(fid)}. GET /v2/ssh-keys?project=<project FID> lists them.`, { field: "ssh_key_fid", value: fid });
  return key;
}

export const updateSshKey: ApiHandler = async (req, { store }) => {
  const input = parseMithrilBody(updateSshKeyRequest, req.body);
  const view = await store.change(
    (state) => {
      const key = readSshKey(state, req.params.fid);
      key.required = input.required as boolean;
      return key.fid;
    },
    (fid, state) => sshKeyView(state.sshKeys[fid]),
  );
  return ok(view);
};

export const deleteSshKey: ApiHandler = async (req, { store }) => {
  await store.change((state) => {
    delete state.sshKeys[readSshKey(state, req.params.fid).fid];
  });
  return { status: 204 };
};
