// Where an instance's `ssh_destination` points. The default hands out loopback host:port pairs
// that nothing listens on; an SSH server for tests plugs in its own allocator.

export interface SshEndpointRequest {
  instanceFid: string;
  bidFid: string;
  /** Position of the instance within its bid, from 0. */
  index: number;
  /** The emulator-wide counter behind the instance FID: unique, increasing. */
  seq: number;
  /** The instance's private address. */
  privateIp: string;
}

/** Returns "host:port" for a new instance. Must be synchronous and must not throw. */
export type SshEndpointAllocator = (request: SshEndpointRequest) => string;

/** Distinct loopback ports, 22000-41999, derived from the instance counter. */
export const loopbackSshEndpoints: SshEndpointAllocator = ({ seq }) => `127.0.0.1:${22000 + (seq % 20000)}`;

/** Every instance on one address: for a single SSH server that serves them all. */
export function fixedSshEndpoint(host: string, port: number): SshEndpointAllocator {
  const destination = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
  return () => destination;
}

/** A private address as data only (10.128.0.0/10 style); nothing ever connects to it. */
export function privateIpFor(seq: number): string {
  return `10.${128 + ((seq >> 16) & 63)}.${(seq >> 8) & 255}.${(seq & 255) % 250 + 2}`;
}
