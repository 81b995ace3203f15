// The seed's instance types and FIDs ("Current FID mappings (as of 2025-07-02)"), with specs.
// Used by the emulator to seed its catalog and by the client when
// FCP_USE_BUILTIN_INSTANCE_MAPPINGS=true. One table, so the two never disagree.
import type { InstanceTypeWire } from "./schemas/instance-type";

export const BUILTIN_INSTANCE_TYPES: readonly InstanceTypeWire[] = [
  a100(1, "it_MsIRhxj3ccyVWGfP", 30, 225, 1000),
  a100(2, "it_5M6aGxGovNeX5ltT", 48, 450, 3500),
  a100(4, "it_fK7Cx6TVhOK5ZfXT", 96, 900, 7000),
  a100(8, "it_J7OyNf9idfImLIFo", 192, 1800, 14000),
  {
    fid: "it_5ECSoHQjLBzrp5YM",
    name: "h100-80gb.sxm.8x",
    num_cpus: 208,
    cpu_type: "Intel(R) Xeon(R) Platinum 8480+",
    ram_gb: 1800,
    num_gpus: 8,
    gpu_type: "NVIDIA H100",
    gpu_memory_gb: 80,
    gpu_socket: "SXM5",
    local_storage_gb: 28000,
  },
  {
    fid: "it_XqgKWbhZ5gznAYsG",
    name: "h100-80gb.pcie.1x",
    num_cpus: 26,
    cpu_type: "Intel(R) Xeon(R) Platinum 8480+",
    ram_gb: 225,
    num_gpus: 1,
    gpu_type: "NVIDIA H100",
    gpu_memory_gb: 80,
    gpu_socket: "PCIe",
    local_storage_gb: 1000,
  },
];

/** Short names the seed resolves without a catalog ("Resolution mapping (as implemented)"). */
export const BUILTIN_SHORT_NAMES: Readonly<Record<string, string>> = {
  a100: "it_MsIRhxj3ccyVWGfP",
  "1xa100": "it_MsIRhxj3ccyVWGfP",
  "2xa100": "it_5M6aGxGovNeX5ltT",
  "4xa100": "it_fK7Cx6TVhOK5ZfXT",
  "8xa100": "it_J7OyNf9idfImLIFo",
  // The seed: "h100" defaults to 8x.
  h100: "it_5ECSoHQjLBzrp5YM",
  "8xh100": "it_5ECSoHQjLBzrp5YM",
};

export const BUILTIN_REGIONS = ["us-central1-a", "us-central1-b", "eu-central1-a"] as const;

function a100(count: number, fid: string, cpus: number, ram: number, disk: number): InstanceTypeWire {
  return {
    fid,
    name: `a100-80gb.sxm.${count}x`,
    num_cpus: cpus,
    cpu_type: "Intel(R) Xeon(R) Platinum 8468",
    ram_gb: ram,
    num_gpus: count,
    gpu_type: "NVIDIA A100",
    gpu_memory_gb: 80,
    gpu_socket: "SXM4",
    local_storage_gb: disk,
  };
}
