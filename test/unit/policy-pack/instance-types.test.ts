import { describeInstanceType, displayName } from "../../../policy-pack/lib";

describe("describeInstanceType", () => {
  it.each([
    ["a100", { name: "a100-80gb.sxm.1x", fid: "it_MsIRhxj3ccyVWGfP", gpuType: "a100", gpuCount: 1 }],
    ["1xa100", { name: "a100-80gb.sxm.1x", fid: "it_MsIRhxj3ccyVWGfP", gpuType: "a100", gpuCount: 1 }],
    ["4xa100", { name: "a100-80gb.sxm.4x", fid: "it_fK7Cx6TVhOK5ZfXT", gpuType: "a100", gpuCount: 4 }],
    ["h100", { name: "h100-80gb.sxm.8x", fid: "it_5ECSoHQjLBzrp5YM", gpuType: "h100", gpuCount: 8 }],
    ["8xh100", { name: "h100-80gb.sxm.8x", fid: "it_5ECSoHQjLBzrp5YM", gpuType: "h100", gpuCount: 8 }],
    ["h100-80gb.pcie.1x", { name: "h100-80gb.pcie.1x", fid: "it_XqgKWbhZ5gznAYsG", gpuType: "h100", gpuCount: 1 }],
    ["it_J7OyNf9idfImLIFo", { name: "a100-80gb.sxm.8x", fid: "it_J7OyNf9idfImLIFo", gpuType: "a100", gpuCount: 8 }],
    ["2xh200", { name: undefined, fid: undefined, gpuType: "h200", gpuCount: 2 }],
    ["l40s-48gb.pcie.4x", { name: "l40s-48gb.pcie.4x", fid: undefined, gpuType: "l40s", gpuCount: 4 }],
    ["it_NotInTheTable", { name: undefined, fid: "it_NotInTheTable", gpuType: undefined, gpuCount: undefined }],
  ])("reads %p offline", (spelling, expected) => {
    const d = describeInstanceType(spelling);
    expect({ name: d.name, fid: d.fid, gpuType: d.gpuType, gpuCount: d.gpuCount }).toEqual(expected);
    expect(d.invalid).toBeUndefined();
  });

  it.each([
    ["A100", /write "a100"/],
    ["a100x8", /write "8xa100"/],
    ["gpu.nvidia.a100", /write "a100"/],
    ["", /empty/],
  ])("explains why %p is not a spelling the provider accepts", (spelling, expected) => {
    expect(describeInstanceType(spelling).invalid).toMatch(expected);
  });

  it.each([
    ["8xh100", "8xh100 (h100-80gb.sxm.8x)"],
    ["h100-80gb.sxm.8x", "h100-80gb.sxm.8x"],
    ["it_NotInTheTable", "it_NotInTheTable"],
  ])("displays %p as %p", (spelling, shown) => {
    expect(displayName(describeInstanceType(spelling))).toBe(shown);
  });
});
