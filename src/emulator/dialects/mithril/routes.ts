// Every endpoint of the live Mithril OpenAPI, in the mithril dialect: the spot-compute ones served
// from the shared store and market (one file per resource beside this one), the rest a 501
// naming the endpoint.
import type { ApiHandler } from "../../api";
import { Router } from "../../router";
import type { DialectSettings } from "../dialect";
import { cancelBid, createBid, getBid, listBids, updateBid } from "./bids";
import { getAvailability, getCurrentPrices, getMe, listInstanceTypes, listProjects, listReservations, noCpuOfferings } from "./catalog";
import { notModelled } from "./errors";
import { listInstances } from "./instances";
import { createSshKey, deleteSshKey, listSshKeys, updateSshKey } from "./ssh-keys";
import { createVolume, deleteVolume, listVolumes, updateVolume } from "./volumes";

/**
 * Endpoints of the live OpenAPI the emulator does not model (flow-compute 3.28.2's document).
 * test/integration/emulator/mithril-dialect.test.ts checks that every path there is either served
 * or listed here.
 */
export const NOT_MODELLED: ReadonlyArray<readonly [string, string]> = [
  ["GET", "/v2/api-keys"],
  ["POST", "/v2/api-keys"],
  ["DELETE", "/v2/api-keys/{key_fid}"],
  ["GET", "/v2/me/teammates"],
  ["GET", "/v2/spot/bids/{bid_fid}/status"],
  ["GET", "/v2/spot/bids/{bid_fid}/history"],
  ["POST", "/v2/lifecycle-scripts"],
  ["GET", "/v2/lifecycle-scripts"],
  ["GET", "/v2/lifecycle-scripts/{ls_fid}/content"],
  ["PATCH", "/v2/lifecycle-scripts/{ls_fid}"],
  ["DELETE", "/v2/lifecycle-scripts/{ls_fid}"],
  ["GET", "/v2/reservation/instance-types"],
  ["GET", "/v2/reservation/quote"],
  ["GET", "/v2/reservation/availability"],
  ["POST", "/v2/reservation"],
  ["GET", "/v2/reservation/{reservation_fid}/extension-availability"],
  ["POST", "/v2/reservation/{reservation_fid}/extend"],
  ["PATCH", "/v2/reservation/{reservation_fid}"],
  ["POST", "/v2/reservation/{reservation_fid}/terminate-instances"],
  ["GET", "/v2/reservation/{reservation_fid}/history"],
  ["GET", "/v2/reservation/{reservation_fid}/usage"],
  ["GET", "/v2/organizations/{organization_id}/quotas"],
  ["GET", "/v2/pricing/history"],
  ["POST", "/v2/cpu/instances"],
  ["DELETE", "/v2/cpu/instances/{instance_fid}"],
  ["GET", "/v2/kubernetes/clusters"],
  ["POST", "/v2/kubernetes/clusters"],
  ["GET", "/v2/kubernetes/clusters/{cluster_fid}"],
  ["DELETE", "/v2/kubernetes/clusters/{cluster_fid}"],
  ["PATCH", "/v2/instances"],
  ["GET", "/v2/instances/{instance_fid}/status"],
  ["POST", "/v2/instances/{instance_fid}/refresh-boot-disk"],
  ["POST", "/v2/instances/{instance_fid}/restart"],
  ["GET", "/v2/instances/status/history"],
  ["GET", "/v2/instances/pricing/history"],
  ["GET", "/v2/image-versions"],
  ["GET", "/v2/mcc-image-versions"],
  ["GET", "/v2/quotas"],
];

export function mithrilRouter(settings: DialectSettings): Router<ApiHandler> {
  // Fixed paths before templated ones, so /v2/instances/status/history is not an instance FID.
  const router = new Router<ApiHandler>();
  for (const [method, template] of NOT_MODELLED.filter(([, t]) => !t.includes("{"))) {
    router.add(method, template, async () => {
      throw notModelled(method, template);
    });
  }
  router
    .add("GET", "/v2/me", getMe)
    .add("GET", "/v2/projects", listProjects)
    .add("GET", "/v2/instance-types", listInstanceTypes)
    .add("GET", "/v2/spot/availability", getAvailability)
    .add("GET", "/v2/pricing/current", getCurrentPrices)
    .add("GET", "/v2/reservation", listReservations)
    .add("GET", "/v2/cpu/instance-types", noCpuOfferings)
    .add("GET", "/v2/cpu/regions", noCpuOfferings)
    .add("GET", "/v2/spot/bids", listBids)
    .add("POST", "/v2/spot/bids", createBid(settings))
    .add("GET", "/v2/spot/bids/{fid}", getBid)
    .add("PATCH", "/v2/spot/bids/{fid}", updateBid)
    .add("DELETE", "/v2/spot/bids/{fid}", cancelBid)
    .add("GET", "/v2/instances", listInstances)
    .add("GET", "/v2/volumes", listVolumes)
    .add("POST", "/v2/volumes", createVolume)
    .add("PATCH", "/v2/volumes/{fid}", updateVolume)
    .add("DELETE", "/v2/volumes/{fid}", deleteVolume)
    .add("GET", "/v2/ssh-keys", listSshKeys)
    .add("POST", "/v2/ssh-keys", createSshKey)
    .add("PATCH", "/v2/ssh-keys/{fid}", updateSshKey)
    .add("DELETE", "/v2/ssh-keys/{fid}", deleteSshKey);
  for (const [method, template] of NOT_MODELLED.filter(([, t]) => t.includes("{"))) {
    router.add(method, template, async () => {
      throw notModelled(method, template);
    });
  }
  return router;
}
