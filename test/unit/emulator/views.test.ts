import { instanceView } from "../../../src/emulator/views";
import type { InstanceRecord } from "../../../src/emulator/state";

const base: InstanceRecord = {
  seq: 1,
  fid: "inst_x",
  bid: "bid_x",
  project: "proj_x",
  instanceType: "it_MsIRhxj3ccyVWGfP",
  region: "us-central1-a",
  status: "pending",
  sshDestination: "127.0.0.1:22001",
  privateIp: "10.128.0.3",
  createdAt: Date.UTC(2025, 6, 2),
  terminatedAt: null,
};

describe("instanceView", () => {
  it("hides the SSH destination until the instance runs", () => {
    expect(instanceView(base)).toMatchObject({ ssh_destination: null, public_ip: null, created_at: "2025-07-02T00:00:00.000Z" });
    expect(instanceView({ ...base, status: "running" })).toMatchObject({ ssh_destination: "127.0.0.1:22001", public_ip: "127.0.0.1" });
    expect(instanceView({ ...base, status: "terminated", terminatedAt: Date.UTC(2025, 6, 3) })).toMatchObject({
      ssh_destination: null,
      terminated_at: "2025-07-03T00:00:00.000Z",
    });
  });

  it("gives the host of a bracketed IPv6 destination as public_ip", () => {
    expect(instanceView({ ...base, status: "running", sshDestination: "[::1]:2222" }).public_ip).toBe("::1");
  });
});
