import { z } from "zod";
import { isoTimestamp, wirePrice } from "./common";
import { bidStatusWire } from "./status";

/** What a client sends to `POST /v2/spot/bids` (the seed's CreateBidRequest). */
export const createBidRequestWire = z.object({
  project: z.string().min(1),
  region: z.string().min(1),
  instance_type: z.string().min(1),
  limit_price: wirePrice,
  ssh_keys: z.array(z.string()).default([]),
  startup_script: z.string().default(""),
  volumes: z.array(z.string()).optional(),
  name: z.string().min(1).max(128).optional(),
  instance_quantity: z.number().int().min(1).max(1024).default(1),
});
export type CreateBidRequestWire = z.input<typeof createBidRequestWire>;

/** `PATCH /v2/spot/bids/{fid}`: only these may change (`volumes` on the live service only). */
export const updateBidRequestWire = z.object({
  limit_price: wirePrice.optional(),
  paused: z.boolean().optional(),
  volumes: z.array(z.string().min(1)).optional(),
});
export type UpdateBidRequestWire = z.infer<typeof updateBidRequestWire>;

const launchSpecification = z.object({
  ssh_keys: z.array(z.string()).optional(),
  startup_script: z.string().nullish(),
  volumes: z.array(z.string()).optional(),
});

/**
 * BidModel as any server spells it. The live service nests launch fields under
 * `launch_specification` and the seed's list example says `price`: both are folded in.
 */
export const bidWire = z
  .object({
    fid: z.string(),
    name: z.string().nullish(),
    project: z.string().optional(),
    created_by: z.string().nullish(),
    region: z.string().optional(),
    instance_type: z.string(),
    instance_quantity: z.number().int().optional(),
    limit_price: wirePrice.optional(),
    price: wirePrice.optional(),
    status: bidStatusWire,
    paused: z.boolean().optional(),
    ssh_keys: z.array(z.string()).optional(),
    startup_script: z.string().nullish(),
    volumes: z.array(z.string()).optional(),
    launch_specification: launchSpecification.optional(),
    instances: z.array(z.string()).optional(),
    created_at: isoTimestamp.optional(),
    updated_at: isoTimestamp.optional(),
    deactivated_at: isoTimestamp.nullish(),
  })
  .transform((b) => ({
    fid: b.fid,
    name: b.name ?? undefined,
    project: b.project,
    createdBy: b.created_by ?? undefined,
    region: b.region,
    instanceType: b.instance_type,
    instanceQuantity: b.instance_quantity ?? 1,
    limitPrice: b.limit_price ?? b.price,
    status: b.status,
    paused: b.paused ?? b.status === "paused",
    sshKeys: b.ssh_keys ?? b.launch_specification?.ssh_keys ?? [],
    startupScript: b.startup_script ?? b.launch_specification?.startup_script ?? undefined,
    volumes: b.volumes ?? b.launch_specification?.volumes ?? [],
    instances: b.instances,
    createdAt: b.created_at,
    updatedAt: b.updated_at,
    deactivatedAt: b.deactivated_at ?? undefined,
  }));
export type BidWire = z.input<typeof bidWire>;
