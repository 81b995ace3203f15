// The scale benchmark's stack: `bids` SpotBids (one A100 each) sharing one SshKey, as a platform
// team's training fleet would be declared. Region and endpoint come from the stack config.
import * as pulumi from "@pulumi/pulumi";
import { SpotBid, SshKey } from "pulumi-fcp";

const bids = new pulumi.Config().getNumber("bids") ?? 32;
const key = new SshKey("ops");
const workers = Array.from(
  { length: bids },
  (_, i) => new SpotBid(`worker-${i}`, { instanceType: "a100", limitPrice: 5, sshKeyIds: [key.keyId], startupScript: "#!/bin/bash\necho hello\n" }),
);

export const running = pulumi.all(workers.map((w) => w.status)).apply((s) => s.filter((x) => x === "running").length);
