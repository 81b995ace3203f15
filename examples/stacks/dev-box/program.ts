// A single-GPU box to SSH into: no code upload, nothing to run but a wait.
import * as pulumi from "@pulumi/pulumi";
import { Task } from "pulumi-fcp";

export function devBox() {
  const config = new pulumi.Config();
  const box = new Task("dev-box", {
    instanceType: "a100",
    maxPricePerHour: config.getNumber("maxPricePerHour") ?? 3,
    region: config.get("region") ?? "us-central1-a",
    // A block volume keeps your home directory's work across boxes (single instance only).
    volumes: [{ sizeGb: 100, mountPath: "/home/ubuntu/work" }],
    uploadCode: false,
    command: ["sleep", "infinity"],
    maxRunTimeHours: config.getNumber("maxRunTimeHours") ?? 12,
  });
  return {
    sshCommand: box.sshCommands.apply((commands) => commands[0]),
    sshHost: box.sshHosts.apply((hosts) => hosts[0]),
    privateKey: box.privateKey,
    hourlyCost: box.hourlyCost,
  };
}
