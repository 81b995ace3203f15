// Every FCP v2 endpoint the emulator serves, by method and path template.
import type { ApiHandler } from "./api";
import { Router } from "./router";
import { cancelBid, createBid, listBids, noCancelEndpoint, noSingleBidGet, updateBid } from "./routes/bids";
import { getAvailability, getMe, listInstanceTypes, listProjects } from "./routes/catalog";
import { listInstances } from "./routes/instances";
import { createSshKey, deleteSshKey, listSshKeys } from "./routes/ssh-keys";
import { createVolume, deleteVolume, listVolumes } from "./routes/volumes";

/** Methods that change state: only these can "fail after the write". */
export const WRITE_METHODS: readonly string[] = ["POST", "PATCH", "DELETE", "PUT"];

export function apiRouter(): Router<ApiHandler> {
  return new Router<ApiHandler>()
    .add("GET", "/v2/projects", listProjects)
    .add("GET", "/v2/me", getMe)
    .add("GET", "/v2/instance-types", listInstanceTypes)
    .add("GET", "/v2/spot/availability", getAvailability)
    .add("GET", "/v2/spot/bids", listBids)
    .add("POST", "/v2/spot/bids", createBid)
    .add("PATCH", "/v2/spot/bids/{fid}", updateBid)
    .add("DELETE", "/v2/spot/bids/{fid}", cancelBid)
    .add("GET", "/v2/spot/bids/{fid}", noSingleBidGet)
    .add("POST", "/v2/spot/bids/{fid}/cancel", noCancelEndpoint)
    .add("GET", "/v2/instances", listInstances)
    .add("GET", "/v2/volumes", listVolumes)
    .add("POST", "/v2/volumes", createVolume)
    .add("DELETE", "/v2/volumes/{fid}", deleteVolume)
    .add("GET", "/v2/ssh-keys", listSshKeys)
    .add("POST", "/v2/ssh-keys", createSshKey)
    .add("DELETE", "/v2/ssh-keys/{fid}", deleteSshKey);
}
