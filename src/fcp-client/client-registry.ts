// One client per configuration per process. Pulumi dynamic providers must build clients inside
// their methods (nothing live may be captured in the serialized provider); this lets those calls
// still share connections, the concurrency cap and the bid lookup cache.
import { createHash } from "node:crypto";
import { FcpClient, type FcpClientOptions } from "./client";

const clients = new Map<string, FcpClient>();

/**
 * The process-wide client for these options, created on first use. Options holding live objects
 * (`clock`, `dispatcher`) always get a fresh, unshared client.
 */
export function sharedFcpClient(options: FcpClientOptions): FcpClient {
  if (options.clock || options.dispatcher) return new FcpClient(options);
  const key = registryKey(options);
  let client = clients.get(key);
  if (!client) {
    client = new FcpClient(options);
    clients.set(key, client);
  }
  return client;
}

/** Closes and forgets every shared client (tests, and processes that want to exit promptly). */
export async function closeSharedFcpClients(): Promise<void> {
  const all = [...clients.values()];
  clients.clear();
  await Promise.all(all.map((c) => c.close()));
}

function registryKey(options: FcpClientOptions): string {
  // The key is hashed so the registry never holds it in a readable form.
  const { apiKey, env, ...rest } = options;
  const keyHash = createHash("sha256").update(apiKey).digest("hex");
  const envPart = env ? [env.FCP_USE_BUILTIN_INSTANCE_MAPPINGS, env.FCP_INSTANCE_MAPPINGS, env.HOME] : null;
  return JSON.stringify([keyHash, envPart, Object.entries(rest).sort(([a], [b]) => a.localeCompare(b))]);
}
