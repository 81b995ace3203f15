// The engine's record of a resource, in memory (secrets as `{ sig, value }`) and in the state file
// (secrets as ciphertext). Field names follow Pulumi's checkpoint where one exists.
import { z } from "zod";
import type { PropertyMap, PropertyValue } from "./property-values";

export interface ResourceState {
  urn: string;
  type: string;
  name: string;
  /** A custom resource has a provider and an id; a component only groups children. */
  custom: boolean;
  id?: string;
  parent?: string;
  inputs: PropertyMap;
  outputs: PropertyMap;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  protect: boolean;
  retainOnDelete: boolean;
  deleteBeforeReplace: boolean;
  ignoreChanges: string[];
  additionalSecretOutputs: string[];
  replaceOnChanges: string[];
  /** Set when create/update reported an initialization failure; the next up retries via Update. */
  initErrors?: string[];
  /** An old copy replaced create-before-delete whose delete has not happened yet. */
  pendingDelete?: boolean;
}

const propertyMapSchema = z.record(z.string(), z.json());

export const resourceStateSchema = z.object({
  urn: z.string().min(1),
  type: z.string().min(1),
  name: z.string(),
  custom: z.boolean(),
  id: z.string().optional(),
  parent: z.string().optional(),
  inputs: propertyMapSchema,
  outputs: propertyMapSchema,
  dependencies: z.array(z.string()),
  propertyDependencies: z.record(z.string(), z.array(z.string())),
  protect: z.boolean(),
  retainOnDelete: z.boolean(),
  deleteBeforeReplace: z.boolean(),
  ignoreChanges: z.array(z.string()),
  additionalSecretOutputs: z.array(z.string()),
  replaceOnChanges: z.array(z.string()),
  initErrors: z.array(z.string()).optional(),
  pendingDelete: z.boolean().optional(),
});

export function mapResourceValues(
  r: ResourceState,
  fn: (v: PropertyValue) => PropertyValue,
): ResourceState {
  return { ...r, inputs: fn(r.inputs) as PropertyMap, outputs: fn(r.outputs) as PropertyMap };
}

/** Every URN this resource must outlive: its parent, dependencies and property dependencies. */
export function dependenciesOf(r: ResourceState): string[] {
  const deps = new Set<string>(r.dependencies);
  for (const list of Object.values(r.propertyDependencies)) {
    for (const urn of list) {
      deps.add(urn);
    }
  }
  if (r.parent) {
    deps.add(r.parent);
  }
  deps.delete(r.urn);
  return [...deps];
}
