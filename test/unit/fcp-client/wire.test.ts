import { ValidationError } from "../../../src/fcp-api/errors";
import { bidListQuery, checkMithrilVolumeName, createBidBody, createVolumeBody, instanceListQuery, updateBidBody } from "../../../src/fcp-client/wire";

const core = { project: "proj_1", region: "us-central1-a", instanceType: "it_1", limitPrice: "$1.00", instanceQuantity: 2, name: "b" };
const launch = { sshKeys: ["k1"], startupScript: "echo", volumes: ["vol_1"] };

describe("request shapes per dialect", () => {
  it("bids: top-level launch fields on the seed, nested launch_specification on mithril", () => {
    expect(createBidBody("seed", core, launch)).toEqual({
      project: "proj_1",
      region: "us-central1-a",
      instance_type: "it_1",
      limit_price: "$1.00",
      instance_quantity: 2,
      name: "b",
      ssh_keys: ["k1"],
      startup_script: "echo",
      volumes: ["vol_1"],
    });
    const live = createBidBody("mithril", core, launch);
    expect(live).toMatchObject({ launch_specification: { ssh_keys: ["k1"], startup_script: "echo", volumes: ["vol_1"] } });
    expect(live).not.toHaveProperty("ssh_keys");
    expect(live).not.toHaveProperty("startup_script");
    expect(live).not.toHaveProperty("volumes");
  });

  it.each([
    ["pending", "Open"],
    ["allocated", "Allocated"],
    ["preempting", "Preempting"],
    ["paused", "Paused"],
    ["terminated", "Terminated"],
    ["running", undefined],
    ["cancelled", undefined],
  ] as const)("bid status filter %s is sent to mithril as %s (else filtered client-side)", (status, live) => {
    expect(bidListQuery("mithril", { status }).status).toBe(live);
    expect(bidListQuery("seed", { status }).status).toBe(status);
  });

  it("instances: bid/status on the seed, bid_fid_in/status_in on mithril; page size capped at 100 there", () => {
    expect(instanceListQuery("seed", { bid: "bid_1", instanceStatus: "running", pageSize: 500 })).toMatchObject({ bid: "bid_1", status: "running", limit: 500 });
    const live = instanceListQuery("mithril", { bid: "bid_1", instanceStatus: "pending", pageSize: 500 });
    expect(live).toMatchObject({ bid_fid_in: "bid_1", status_in: "STATUS_NEW,STATUS_CONFIRMED,STATUS_INITIALIZING", limit: 100 });
    expect(live).not.toHaveProperty("bid");
  });

  it("volumes: `interface` on the seed, `disk_interface: Block|File` on mithril", () => {
    const v = { name: "data", sizeGb: 10, interface: "file" as const, project: "proj_1", region: "r" };
    expect(createVolumeBody("seed", v)).toEqual({ name: "data", size_gb: 10, interface: "file", project: "proj_1", region: "r" });
    expect(createVolumeBody("mithril", v)).toEqual({ name: "data", size_gb: 10, disk_interface: "File", project: "proj_1", region: "r" });
  });

  it("bid PATCH takes volumes on mithril only; the seed refusal says what to do", () => {
    expect(updateBidBody("mithril", { volumes: ["vol_1"], paused: false })).toEqual({ volumes: ["vol_1"], paused: false });
    expect(() => updateBidBody("seed", { volumes: ["vol_1"] })).toThrow(/needs the live \(mithril\) API/);
  });
});

describe("the live volume name rule, checked before sending", () => {
  it.each(["a", "data", "data-1", "x".repeat(64)])("accepts %j", (name) => {
    expect(() => checkMithrilVolumeName(name)).not.toThrow();
  });
  it.each([
    ["My_Data", "my-data"],
    ["1data", "data"],
    ["data-", "data"],
    ["x".repeat(65), "x".repeat(64)],
  ])("refuses %j and suggests %j", (name, suggestion) => {
    let err: unknown;
    try {
      checkMithrilVolumeName(name);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).field).toBe("name");
    expect((err as ValidationError).suggestions.join(" ")).toContain(JSON.stringify(suggestion));
  });
  it("does not check the live rule on the seed", () => {
    expect(() => createVolumeBody("seed", { name: "My_Data", sizeGb: 1, interface: "block", project: "p", region: "r" })).not.toThrow();
  });
});
