// Entry point the serialized providers `require` ("pulumi-fcp/dynamic-provider"). Public and
// stable: stacks' state refers to it by this name for as long as the resources live.
import * as spotBid from "./spot-bid-provider";
import * as volume from "./volume-provider";
import * as sshKey from "./ssh-key-provider";
import * as clusterBootstrap from "./cluster-bootstrap-provider";

export { configure } from "./settings";

export const handlers = {
  spotBid: { ...spotBid, delete: spotBid.remove },
  volume: { ...volume, delete: volume.remove },
  sshKey: { ...sshKey, delete: sshKey.remove },
  clusterBootstrap: { ...clusterBootstrap, delete: clusterBootstrap.remove },
};
