// `bids` SpotBids (one A100 each) sharing one SshKey, as a platform team's training fleet would be
// declared; the same program runs through the Pulumi CLI (index.ts) and LocalEngine (the bench).
// Region and endpoint come from the stack config.
import * as pulumi from "@pulumi/pulumi";
import { SpotBid, SshKey } from "pulumi-fcp";

/** Declares the fleet; resolves to how many of its bids run. */
export function manyBids(bids: number): pulumi.Output<number> {
  const key = new SshKey("ops");
  const workers = Array.from(
    { length: bids },
    (_, i) => new SpotBid(`worker-${i}`, { instanceType: "a100", limitPrice: 5, sshKeyIds: [key.keyId], startupScript: "#!/bin/bash\necho hello\n" }),
  );
  return pulumi.all(workers.map((w) => w.status)).apply((s) => s.filter((x) => x === "running").length);
}
