// `flow catalog`: instance types × regions with the current spot price and capacity.
import { Option, type Command } from "commander";
import type { CatalogEntry } from "../../sdk/flow";
import { withFlow } from "../context";
import { printJson, println, table } from "../output";

const SORTS: Record<string, (a: CatalogEntry, b: CatalogEntry) => number> = {
  price: (a, b) => a.spotPriceCents - b.spotPriceCents,
  "gpu-memory": (a, b) => (b.gpuMemoryGb ?? 0) - (a.gpuMemoryGb ?? 0),
  capacity: (a, b) => b.capacity - a.capacity,
  name: (a, b) => a.instanceType.localeCompare(b.instanceType) || a.region.localeCompare(b.region),
};

export function registerCatalog(program: Command): void {
  program
    .command("catalog")
    .description("instance types by region, with spot price and capacity")
    .addOption(new Option("--sort <key>", "sort by").choices(Object.keys(SORTS)).default("price"))
    .option("--min-gpu-memory <gb>", "only GPUs with at least this much memory", Number)
    .option("--available", "only entries with capacity")
    .option("--json", "print JSON")
    .action(async (o: { sort: string; minGpuMemory?: number; available?: boolean; json?: boolean }, cmd: Command) => {
      // --region is the global option: here it filters.
      const region = cmd.optsWithGlobals<{ region?: string }>().region;
      await withFlow(cmd, async (flow) => {
        const rows = (await flow.catalog())
          .filter((r) => o.minGpuMemory === undefined || (r.gpuMemoryGb ?? 0) >= o.minGpuMemory)
          .filter((r) => !region || r.region === region)
          .filter((r) => !o.available || r.capacity > 0)
          .sort(SORTS[o.sort]);
        if (o.json) return printJson(rows);
        println(
          table(rows, [
            { header: "INSTANCE TYPE", value: (r) => r.instanceType },
            { header: "GPUS", value: (r) => `${r.numGpus}×${r.gpuType ?? "?"}`, align: "right" },
            { header: "GPU MEM", value: (r) => (r.gpuMemoryGb ? `${r.gpuMemoryGb} GB` : "-"), align: "right" },
            { header: "REGION", value: (r) => r.region },
            { header: "SPOT/H", value: (r) => r.spotPrice, align: "right" },
            { header: "CAPACITY", value: (r) => String(r.capacity), align: "right" },
          ]),
        );
      });
    });
}
