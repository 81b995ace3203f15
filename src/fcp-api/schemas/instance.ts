import { z } from "zod";
import { isoTimestamp } from "./common";
import { instanceStatusWire } from "./status";

/** InstanceModel; `ssh_destination` ("host:port") preferred, `public_ip` as the fallback. */
export const instanceWire = z
  .object({
    fid: z.string(),
    bid: z.string().nullish(),
    status: instanceStatusWire,
    ssh_destination: z.string().nullish(),
    public_ip: z.string().nullish(),
    private_ip: z.string().nullish(),
    instance_type: z.string().nullish(),
    region: z.string().nullish(),
    created_at: isoTimestamp.nullish(),
    terminated_at: isoTimestamp.nullish(),
  })
  .transform((i) => {
    const ssh = parseSshDestination(i.ssh_destination ?? undefined, i.public_ip ?? undefined);
    return {
      fid: i.fid,
      bid: i.bid ?? undefined,
      status: i.status,
      sshHost: ssh?.host,
      sshPort: ssh?.port,
      privateIp: i.private_ip ?? undefined,
      instanceType: i.instance_type ?? undefined,
      region: i.region ?? undefined,
      createdAt: i.created_at ?? undefined,
      terminatedAt: i.terminated_at ?? undefined,
    };
  });
export type InstanceWire = z.input<typeof instanceWire>;

/** "host:port", "[v6]:port", or a bare host (port 22). */
export function parseSshDestination(dest?: string, publicIp?: string): { host: string; port: number } | undefined {
  const raw = (dest ?? "").trim();
  if (raw) {
    const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(raw);
    if (v6) return { host: v6[1], port: v6[2] ? Number(v6[2]) : 22 };
    const m = /^([^:]+)(?::(\d+))?$/.exec(raw);
    if (m) return { host: m[1], port: m[2] ? Number(m[2]) : 22 };
  }
  if (publicIp && publicIp.trim()) return { host: publicIp.trim(), port: 22 };
  return undefined;
}
