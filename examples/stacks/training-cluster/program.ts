// The training cluster as a function, so `index.ts` (the Pulumi CLI's entry point), the demo and
// the tests all deploy exactly the same program.
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { Task } from "pulumi-fcp";

export function trainingCluster() {
  const config = new pulumi.Config();
  const hfToken = config.getSecret("hfToken");

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
    env: {
      WANDB_PROJECT: "llama-finetune",
      // Secrets stay secret: the startup script, and the bid holding it, are encrypted in state.
      ...(hfToken ? { HF_TOKEN: hfToken } : {}),
    },
    codeDir: path.join(__dirname, "workload"),
    shell: [
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
  };
}
