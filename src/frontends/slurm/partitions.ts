// `--partition` → FCP instance type, through a table users keep in their Flow config:
//
//   # ~/.flow/config.yaml (or ./.flow/config.yaml, which wins)
//   slurm:
//     partitions:
//       gpu: a100          # a partition name → an instance type spelling
//       h100-big: 8xh100
//     max_price_per_hour: 12.5   # the bid's limit price when the script names none
//     region: us-central1-b
//
// A partition that is not in the table is refused with the names that are.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { ValidationError } from "../../fcp-api/errors";

export interface SlurmSettings {
  partitions: Record<string, string>;
  maxPricePerHour?: number | string;
  region?: string;
}

const section = z
  .object({
    slurm: z
      .object({
        partitions: z.record(z.string(), z.string()).optional(),
        max_price_per_hour: z.union([z.number(), z.string()]).optional(),
        region: z.string().optional(),
      })
      .optional(),
  })
  .passthrough();

/** The `slurm:` sections of ./.flow/config.yaml over ~/.flow/config.yaml. */
export function loadSlurmSettings(context: { cwd?: string; homeDir?: string } = {}): SlurmSettings {
  const out: SlurmSettings = { partitions: {} };
  for (const file of [join(context.homeDir ?? homedir(), ".flow", "config.yaml"), join(context.cwd ?? process.cwd(), ".flow", "config.yaml")]) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    const parsed = section.safeParse(parse(text) ?? {});
    if (!parsed.success) {
      throw new ValidationError(`${file}: the slurm section is malformed: ${parsed.error.issues[0].path.join(".")} ${parsed.error.issues[0].message}.`, {
        field: "slurm",
        suggestions: ["Write `slurm: {partitions: {gpu: a100}, max_price_per_hour: 12.5}`."],
      });
    }
    const s = parsed.data.slurm;
    if (!s) continue;
    Object.assign(out.partitions, s.partitions ?? {});
    if (s.max_price_per_hour !== undefined) out.maxPricePerHour = s.max_price_per_hour;
    if (s.region !== undefined) out.region = s.region;
  }
  return out;
}

export function instanceTypeForPartition(partition: string, table: Readonly<Record<string, string>>): string {
  if (Object.prototype.hasOwnProperty.call(table, partition)) return table[partition];
  const known = Object.keys(table);
  throw new ValidationError(`SLURM partition ${JSON.stringify(partition)} has no instance type${known.length ? `; the table maps ${known.join(", ")}` : ""}.`, {
    field: "partition",
    suggestions: [`Add it to ~/.flow/config.yaml: \`slurm: {partitions: {${partition}: a100}}\`, or drop --partition and use --gres=gpu:a100:N.`],
  });
}
