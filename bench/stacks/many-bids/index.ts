// Entry point for `pulumi up`: the scale benchmark's stack (program.ts), `bids` from the stack config.
import * as pulumi from "@pulumi/pulumi";
import { manyBids } from "./program";

export const running = manyBids(new pulumi.Config().getNumber("bids") ?? 32);
