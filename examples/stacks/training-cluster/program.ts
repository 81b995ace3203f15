// The training cluster as a function, so `index.ts` (the Pulumi CLI's entry point), the demo and
// the tests all deploy exactly the same program.
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { Task } from "pulumi-fcp";

export function trainingCluster() {
  const config = new pulumi.Config();
  const hfToken = config.getSecret("hfToken");
  // "torchrun" trains; "rendezvous" (what the demo runs on the emulator, which has no GPUs) only
  // proves the nodes found each other: rank 0 listens on MASTER_ADDR:MASTER_PORT, the others call.
  const launcher = config.get("launcher") ?? "torchrun";
  if (launcher !== "torchrun" && launcher !== "rendezvous") throw new Error(`training-cluster:launcher must be "torchrun" or "rendezvous", got ${JSON.stringify(launcher)}`);

  const train = new Task("llama-finetune", {
    instanceType: config.get("instanceType") ?? "8xh100",
    // The GitOps knob: a pull request that changes it shows one replacement of the bid.
    numInstances: config.getNumber("numInstances") ?? 2,
    // Dollars per instance-hour; changing it is one in-place update of the bid.
    maxPricePerHour: config.getNumber("maxPricePerHour") ?? 30,
    maxRunTimeHours: 24,
    region: config.get("region") ?? "us-central1-b",
    image: "nvcr.io/nvidia/pytorch:24.05-py3",
    // A file volume: FCP attaches block volumes to single-instance bids only.
    volumes: [{ sizeGb: 500, mountPath: "/data", interface: "file" }],
    env: { WANDB_PROJECT: "llama-finetune" },
    // Never in the startup script nor on FCP: the cluster bootstrap brings it over SSH into a
    // root-only file that only the job reads.
    ...(hfToken ? { secretEnv: { HF_TOKEN: hfToken } } : {}),
    codeDir: path.join(__dirname, "workload"),
    // Off only where nothing can be reached over SSH (an emulator whose instances do not boot).
    clusterBootstrap: config.getBoolean("clusterBootstrap") ?? true,
    shell:
      launcher === "rendezvous"
        ? "python3 rendezvous.py"
        : [
            "torchrun",
            '--nnodes="$FLOW_NUM_NODES"',
            '--node_rank="$FLOW_NODE_RANK"',
            "--nproc_per_node=8",
            '--master_addr="$MASTER_ADDR"',
            '--master_port="$MASTER_PORT"',
            "train.py --data /data",
          ].join(" "),
  });

  return {
    bidId: train.bidId,
    status: train.status,
    instanceType: train.instanceTypeName,
    sshHosts: train.sshHosts,
    sshCommands: train.sshCommands,
    privateKey: train.privateKey,
    hourlyCost: train.hourlyCost,
    startupScriptBytes: train.startupScriptBytes,
    volumeIds: train.volumeIds,
    /** Rank, host, private IP and ready state of each node (cluster bootstrap). */
    nodes: train.nodes,
    clusterReadyAt: train.clusterReadyAt,
  };
}
