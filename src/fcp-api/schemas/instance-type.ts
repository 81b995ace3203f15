import { z } from "zod";

/** InstanceTypeModel, with the seed's actual field names (`ram_gb`, `num_gpus`, ...). */
export const instanceTypeWire = z.object({
  fid: z.string(),
  name: z.string(),
  num_cpus: z.number().optional(),
  cpu_type: z.string().optional(),
  ram_gb: z.number().optional(),
  num_gpus: z.number(),
  gpu_type: z.string().optional(),
  gpu_memory_gb: z.number().optional(),
  gpu_socket: z.string().optional(),
  local_storage_gb: z.number().optional(),
});
export type InstanceTypeWire = z.infer<typeof instanceTypeWire>;
