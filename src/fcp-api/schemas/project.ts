import { z } from "zod";
import { isoTimestamp } from "./common";

export const projectWire = z.object({
  fid: z.string(),
  name: z.string(),
  created_at: isoTimestamp.optional(),
});
export type ProjectWire = z.infer<typeof projectWire>;
