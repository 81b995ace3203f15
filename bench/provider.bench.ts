// Size of the serialized provider every SpotBid, Volume and SshKey stores in state
// (`__provider`), serialized exactly as `pulumi.dynamic.Resource` does. Target: under 4 KB.
import * as pulumi from "@pulumi/pulumi";
import { providerShim, type ProviderKind } from "../src/resources/provider-shim";
import type { BenchResult } from "./bench-result";

const LIMIT = 4096;

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const kind of ["spotBid", "volume", "sshKey"] as ProviderKind[]) {
    const provider = providerShim(kind);
    const serialized = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: false, isFactoryFunction: true });
    const bytes = Buffer.byteLength(serialized.text);
    results.push({ name: `__provider of ${kind}`, value: bytes, unit: "bytes", target: `< ${LIMIT}`, ok: bytes < LIMIT });
  }
  return results;
}
