import { z } from "zod";
import { wirePrice } from "./common";

/** AuctionModel: spot capacity and the last clearing price for a type in a region. */
export const auctionWire = z.object({
  fid: z.string(),
  instance_type: z.string(),
  region: z.string(),
  capacity: z.number().int().nonnegative(),
  last_instance_price: wirePrice,
});
export type AuctionWire = z.infer<typeof auctionWire>;
