import { z } from "zod";

export const userWire = z.object({
  fid: z.string().optional(),
  id: z.string().optional(),
  user_id: z.string().optional(),
  username: z.string().optional(),
  /** The live service's spelling (`MeResponse.user_name`). */
  user_name: z.string().nullish(),
  email: z.string().optional(),
});
export type UserWire = z.infer<typeof userWire>;
