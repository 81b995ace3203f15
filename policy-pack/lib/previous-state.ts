// The stack as it was before this preview, read from the output of `pulumi stack export` (a file
// named by FCP_GUARDRAILS_PREVIOUS_STATE). A policy only sees the planned resources, so the
// "before" side of a change has to come from the state the CI job exported.
import { readFileSync } from "node:fs";
import type { PolicyResource } from "@pulumi/policy";
import { z } from "zod";

export const PREVIOUS_STATE_ENV = "FCP_GUARDRAILS_PREVIOUS_STATE";

const exported = z.object({
  deployment: z.object({
    resources: z
      .array(
        z.object({
          urn: z.string(),
          type: z.string(),
          inputs: z.record(z.string(), z.unknown()).optional(),
          outputs: z.record(z.string(), z.unknown()).optional(),
          parent: z.string().optional(),
        }),
      )
      .optional(),
  }),
});

export type PreviousState =
  | { kind: "none" }
  | { kind: "read"; path: string; resources: PolicyResource[] }
  | { kind: "unreadable"; path: string; reason: string };

/** Reads the file named by the environment variable; never throws (a bad file is reported). */
export function readPreviousState(env: NodeJS.ProcessEnv = process.env): PreviousState {
  const path = env[PREVIOUS_STATE_ENV]?.trim();
  if (!path) return { kind: "none" };
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    return { kind: "unreadable", path, reason: (e as NodeJS.ErrnoException).code === "ENOENT" ? "the file does not exist" : (e as Error).message };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { kind: "unreadable", path, reason: `it is not JSON (${(e as Error).message})` };
  }
  const parsed = exported.safeParse(json);
  if (!parsed.success) return { kind: "unreadable", path, reason: "it is not the output of `pulumi stack export` (no deployment.resources)" };
  return { kind: "read", path, resources: asPolicyResources(parsed.data.deployment.resources ?? []) };
}

/** The exported resources shaped like the analyzer's: outputs over inputs, parents linked. */
function asPolicyResources(rows: NonNullable<z.infer<typeof exported>["deployment"]["resources"]>): PolicyResource[] {
  const byUrn = new Map<string, PolicyResource>();
  const out = rows.map((row) => {
    const resource = {
      type: row.type,
      name: row.urn.slice(row.urn.lastIndexOf("::") + 2),
      urn: row.urn,
      props: { ...row.inputs, ...row.outputs },
      dependencies: [],
      propertyDependencies: {},
    } as unknown as PolicyResource;
    byUrn.set(row.urn, resource);
    return resource;
  });
  rows.forEach((row, i) => {
    const parent = row.parent === undefined ? undefined : byUrn.get(row.parent);
    if (parent) out[i].parent = parent;
  });
  return out;
}
