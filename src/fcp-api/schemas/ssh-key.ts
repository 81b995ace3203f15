import { z } from "zod";
import { isoTimestamp } from "./common";

/** `POST /v2/ssh-keys`; without `public_key` the server generates a pair (live behaviour). */
export const createSshKeyRequestWire = z.object({
  name: z.string().min(1).max(128),
  project: z.string().min(1),
  public_key: z.string().min(1).optional(),
  /** Live service only: a required key is added to every bid of the project. */
  required: z.boolean().optional(),
});
export type CreateSshKeyRequestWire = z.infer<typeof createSshKeyRequestWire>;

export const sshKeyWire = z
  .object({
    fid: z.string(),
    name: z.string().nullish(),
    project: z.string().optional(),
    public_key: z.string().optional(),
    private_key: z.string().nullish(),
    required: z.boolean().optional(),
    created_at: isoTimestamp.optional(),
  })
  .transform((k) => ({
    fid: k.fid,
    name: k.name ?? undefined,
    project: k.project,
    publicKey: k.public_key,
    privateKey: k.private_key ?? undefined,
    required: k.required ?? false,
    createdAt: k.created_at,
  }));
export type SshKeyWire = z.input<typeof sshKeyWire>;

/** `PATCH /v2/ssh-keys/{fid}` (live service only). */
export const updateSshKeyRequestWire = z.object({ required: z.boolean() });
