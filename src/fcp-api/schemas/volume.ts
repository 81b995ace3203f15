import { z } from "zod";
import { isoTimestamp } from "./common";

export const VOLUME_INTERFACES = ["block", "file"] as const;
export type VolumeInterface = (typeof VOLUME_INTERFACES)[number];

/** The live service's volume names (OpenAPI `CreateVolumeRequest.name`): a DNS label of at most 64. */
export const MITHRIL_VOLUME_NAME_PATTERN = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
export const MITHRIL_VOLUME_NAME_MAX = 64;

/** `POST /v2/volumes`. The live service says `disk_interface: "Block"|"File"`; both accepted. */
export const createVolumeRequestWire = z
  .object({
    name: z.string().min(1).max(128),
    size_gb: z.number().int().min(1).max(16384),
    interface: z.enum(VOLUME_INTERFACES).optional(),
    disk_interface: z.enum(["Block", "File", "block", "file"]).optional(),
    project: z.string().min(1),
    region: z.string().min(1),
  })
  .transform((v) => ({
    name: v.name,
    sizeGb: v.size_gb,
    interface: (v.interface ?? v.disk_interface?.toLowerCase() ?? "block") as VolumeInterface,
    project: v.project,
    region: v.region,
  }));

export const volumeWire = z
  .object({
    fid: z.string(),
    name: z.string().nullish(),
    project: z.string().optional(),
    region: z.string().optional(),
    capacity_gb: z.number().optional(),
    size_gb: z.number().optional(),
    interface: z.string().optional(),
    disk_interface: z.string().optional(),
    status: z.string().optional(),
    attached_to: z.array(z.string()).optional(),
    // The live service lists the bids (and reservations) a volume is attached to.
    bids: z.array(z.string()).optional(),
    reservations: z.array(z.string()).optional(),
    deleted_at: isoTimestamp.nullish(),
    created_at: isoTimestamp.optional(),
    updated_at: isoTimestamp.optional(),
  })
  .transform((v) => ({
    fid: v.fid,
    name: v.name ?? undefined,
    project: v.project,
    region: v.region,
    sizeGb: v.capacity_gb ?? v.size_gb ?? 0,
    interface: ((v.interface ?? v.disk_interface ?? "block").toLowerCase() === "file" ? "file" : "block") as VolumeInterface,
    status: (v.status ?? (v.bids?.length ? "attached" : "available")).toLowerCase(),
    attachedTo: v.attached_to ?? [...(v.bids ?? []), ...(v.reservations ?? [])],
    createdAt: v.created_at,
    updatedAt: v.updated_at,
  }));
export type VolumeWire = z.input<typeof volumeWire>;
