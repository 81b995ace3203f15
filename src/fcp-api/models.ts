// The client's public types: camelCase, prices in integer cents beside the wire string. The wire
// (snake_case) lives in `schemas/`; `client.ts` converts between them.
import type { BidStatus, InstanceStatus } from "./schemas/status";
import type { VolumeInterface } from "./schemas/volume";

export type { BidStatus, InstanceStatus, VolumeInterface };

/** Options any single call accepts; merged over the client's defaults. */
export interface RequestOptions {
  /**
   * Deadline of one HTTP attempt, in milliseconds.
   *
   * @default 30000
   */
  timeoutMs?: number;
  /**
   * Retries after the first attempt for GET/PATCH/DELETE (network errors, 429, 502/503/504).
   *
   * @default 4
   */
  maxRetries?: number;
  /** Cancels the call, including any backoff wait. */
  signal?: AbortSignal;
}

export interface Project {
  fid: string;
  name: string;
  createdAt?: string;
}

export interface User {
  /** The user's FID, whichever field the server put it in. */
  fid?: string;
  username?: string;
  email?: string;
}

export interface InstanceType {
  fid: string;
  /** FCP name, e.g. `a100-80gb.sxm.1x`. */
  name: string;
  numCpus?: number;
  cpuType?: string;
  ramGb?: number;
  numGpus: number;
  gpuType?: string;
  /** Memory of one GPU. */
  gpuMemoryGb?: number;
  gpuSocket?: string;
  localStorageGb?: number;
}

/** One spot auction (the seed's AuctionModel): capacity and last clearing price. */
export interface SpotAvailability {
  fid: string;
  /** Instance type FID. */
  instanceType: string;
  region: string;
  capacity: number;
  /** Last clearing price per instance-hour, in cents. */
  lastInstancePriceCents: number;
  /** The same price as the wire writes it, e.g. `"$10.00"`. */
  lastInstancePrice: string;
}

export interface Bid {
  fid: string;
  name?: string;
  project?: string;
  createdBy?: string;
  region?: string;
  /** Instance type FID (a name when a server lists names). */
  instanceType: string;
  instanceQuantity: number;
  /** Limit price per instance-hour, in cents. */
  limitPriceCents?: number;
  /** The same price as the wire writes it, e.g. `"$15.00"`. */
  limitPrice?: string;
  status: BidStatus;
  paused: boolean;
  sshKeys: string[];
  startupScript?: string;
  volumes: string[];
  /** Instance FIDs, when the server lists them. */
  instances?: string[];
  createdAt?: string;
  updatedAt?: string;
  /** When the bid stopped (live service). */
  deactivatedAt?: string;
}

export interface Instance {
  fid: string;
  bid?: string;
  status: InstanceStatus;
  /** From `ssh_destination`, or the deprecated `public_ip`. */
  sshHost?: string;
  sshPort?: number;
  privateIp?: string;
  instanceType?: string;
  region?: string;
  createdAt?: string;
  terminatedAt?: string;
}

export interface Volume {
  fid: string;
  name?: string;
  project?: string;
  region?: string;
  sizeGb: number;
  interface: VolumeInterface;
  /** `available`, `attached`, `deleting`, ... lowercased. */
  status: string;
  attachedTo: string[];
  createdAt?: string;
  updatedAt?: string;
}

export interface SshKey {
  fid: string;
  name?: string;
  project?: string;
  publicKey?: string;
  /** Only on the create response, and only when the server generated the pair. */
  privateKey?: string;
  /** Live service: a required key is added to every bid of the project (false on the seed). */
  required: boolean;
  createdAt?: string;
}

export interface CreateBidInput {
  /**
   * Display name; the client looks the bid up by it after an ambiguous failure, so make it unique.
   *
   * @default - `pulumi-fcp-` plus a random suffix
   */
  name?: string;
  /**
   * Project name or FID.
   *
   * @default - the client's project
   */
  project?: string;
  /**
   * Region.
   *
   * @default - the client's region
   */
  region?: string;
  /** Instance type in any accepted spelling (`a100`, `2xa100`, `a100-80gb.sxm.1x`, `it_...`). */
  instanceType: string;
  /**
   * Limit price per instance-hour in cents. Exactly one of limitPriceCents and limitPrice.
   */
  limitPriceCents?: number;
  /** Limit price per instance-hour as dollars (`12.5`) or a dollar string (`"$12.50"`). */
  limitPrice?: number | string;
  /** @default 1 */
  instanceQuantity?: number;
  /** SSH key FIDs. @default [] */
  sshKeys?: string[];
  /** @default "" */
  startupScript?: string;
  /** Volume FIDs. @default [] */
  volumes?: string[];
}

/** `PATCH`: only the limit price and the paused flag can change on a bid (and, live, its volumes). */
export interface UpdateBidInput {
  limitPriceCents?: number;
  /** Dollars (`12.5`) or a dollar string (`"$12.50"`). */
  limitPrice?: number | string;
  paused?: boolean;
  /** Volume FIDs; the live (mithril) API only. */
  volumes?: string[];
}

export interface CreateVolumeInput {
  /** Unique within the project: the client finds the volume by it after an ambiguous failure. */
  name: string;
  sizeGb: number;
  /** @default "block" */
  interface?: VolumeInterface;
  /** @default - the client's project */
  project?: string;
  /** @default - the client's region */
  region?: string;
}

export interface CreateSshKeyInput {
  /** Unique within the project: the client finds the key by it after an ambiguous failure. */
  name: string;
  /** @default - the server generates a pair and returns `privateKey` once */
  publicKey?: string;
  /** @default - the client's project */
  project?: string;
  /**
   * Live service only: add this key to every bid of the project (project admins only).
   *
   * @default false
   */
  required?: boolean;
}

export interface ListBidsFilter {
  /** @default - the client's project */
  project?: string;
  /** Instance type FID. */
  instanceType?: string;
  region?: string;
  status?: BidStatus;
  /** Page size of this listing, sent as `limit`. @default - the client's pageSize */
  limit?: number;
}

export interface ListInstancesFilter extends Omit<ListBidsFilter, "status"> {
  /** Only the instances of this bid. */
  bid?: string;
  status?: InstanceStatus;
}

export interface SpotAvailabilityFilter {
  region?: string;
  /** Instance type FID. */
  instanceType?: string;
}
