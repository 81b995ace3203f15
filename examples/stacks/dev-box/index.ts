// Entry point for `pulumi up`.
import { devBox } from "./program";

const box = devBox();

export const sshCommand = box.sshCommand;
export const sshHost = box.sshHost;
export const privateKey = box.privateKey;
export const hourlyCost = box.hourlyCost;
