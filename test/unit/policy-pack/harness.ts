// Builds policy arguments the way @pulumi/policy's analyzer server does (props behind its
// unknown-checking proxy, config from getConfig), from happy-path factories that tests change
// one field at a time.
import type {
  PolicyResource,
  PolicyResourceOptions,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { SPOT_BID_TYPE, TASK_TYPE, VOLUME_TYPE } from "../../../policy-pack/lib";

const policyRuntime = require("@pulumi/policy") as {
  unknownCheckingProxy: <T extends object>(o: T) => T;
  UnknownValueError: new (...args: never[]) => Error;
};
const proxySentinels = require("@pulumi/policy/proxy") as { unknownStringValue: string; unknownObjectValue: string };

/** Put this in an override to make the value unknown, as during preview. */
export const UNKNOWN_VALUE = Symbol("unknown value");
/** Put this in an override to remove the field. */
export const ABSENT = Symbol("absent");

export const UnknownValueError = policyRuntime.UnknownValueError;

type Overrides = Record<string, unknown>;

export function happySpotBid(): Record<string, unknown> {
  return {
    resourceName: "train-bid",
    name: "train-bid-4f2a",
    instanceType: "8xh100",
    region: "us-central1-a",
    limitPrice: 25,
    instanceQuantity: 2,
    sshKeyIds: ["sshkey_abc"],
    volumeIds: [],
    startupScript: "#!/bin/bash\nset -euo pipefail\necho ready\n",
    paused: false,
    waitFor: "running",
    readyTimeoutMinutes: 30,
  };
}

export function happyTask(): Record<string, unknown> {
  return {
    name: "train",
    instanceType: "8xh100",
    numInstances: 2,
    maxPricePerHour: "$25.00",
    maxRunTimeHours: 24,
    region: "us-central1-a",
    image: "pytorch/pytorch:2.3.0-cuda12.1-cudnn8-runtime",
    env: { WANDB_PROJECT: "llama-ft", HF_TOKEN: "[secret]", NCCL_DEBUG: "INFO" },
    command: "torchrun --nproc_per_node=8 train.py",
  };
}

export function happyVolume(): Record<string, unknown> {
  return { name: "data", sizeGb: 500, interface: "block", region: "us-central1-a" };
}

const HAPPY: Record<string, () => Record<string, unknown>> = {
  [SPOT_BID_TYPE]: happySpotBid,
  [TASK_TYPE]: happyTask,
  [VOLUME_TYPE]: happyVolume,
};

/** Props as the analyzer hands them to a policy: overrides applied, unknowns as sentinels, proxied. */
export function props(type: string, overrides: Overrides = {}): Record<string, unknown> {
  const base = HAPPY[type]?.() ?? {};
  return policyRuntime.unknownCheckingProxy(applyOverrides(base, overrides));
}

function applyOverrides(base: Record<string, unknown>, overrides: Overrides): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === ABSENT) delete out[k];
    else out[k] = toWire(v);
  }
  return out;
}

function toWire(v: unknown): unknown {
  if (v === UNKNOWN_VALUE) return proxySentinels.unknownStringValue;
  if (Array.isArray(v)) return v.map(toWire);
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toWire(x)]));
  }
  return v;
}

const OPTIONS: PolicyResourceOptions = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

export function urnOf(type: string, name: string): string {
  return `urn:pulumi:dev::gpu-stack::${type}::${name}`;
}

export function resourceArgs(
  type: string,
  overrides: Overrides = {},
  config: object = {},
  name = type === TASK_TYPE ? "train" : type === SPOT_BID_TYPE ? "train-bid" : "data",
): ResourceValidationArgs {
  return {
    type,
    props: props(type, overrides),
    urn: urnOf(type, name),
    name,
    opts: OPTIONS,
    stackTags: new Map(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => config as T,
    notApplicable: (reason?: string) => {
      throw new Error(`notApplicable: ${reason}`);
    },
  };
}

/** Runs a resource policy; the messages it reported. Throws what the policy throws. */
export async function runResourcePolicy(policy: ResourceValidationPolicy, args: ResourceValidationArgs): Promise<string[]> {
  const messages: string[] = [];
  const validations = policy.validateResource === undefined ? [] : [policy.validateResource].flat();
  for (const v of validations) await v(args, (m) => messages.push(m));
  return messages;
}

export interface StackEntry {
  type: string;
  name: string;
  overrides?: Overrides;
  /** Name of the parent entry. */
  parent?: string;
}

export function stackArgs(entries: StackEntry[], config: object = {}): StackValidationArgs {
  const resources = entries.map(
    (e): PolicyResource => ({
      type: e.type,
      name: e.name,
      urn: urnOf(e.type, e.name),
      props: props(e.type, e.overrides),
      opts: OPTIONS,
      dependencies: [],
      propertyDependencies: {},
      isType: () => false,
      asType: () => undefined,
    }),
  );
  entries.forEach((e, i) => {
    if (e.parent !== undefined) resources[i].parent = resources[entries.findIndex((p) => p.name === e.parent)];
  });
  return {
    resources,
    stackTags: new Map(),
    getConfig: <T extends object>() => config as T,
    notApplicable: (reason?: string) => {
      throw new Error(`notApplicable: ${reason}`);
    },
  };
}

export interface Reported {
  message: string;
  urn?: string;
}

export async function runStackPolicy(policy: StackValidationPolicy, args: StackValidationArgs): Promise<Reported[]> {
  const reported: Reported[] = [];
  await policy.validateStack(args, (message, urn) => reported.push({ message, urn }));
  return reported;
}

/** Runs a policy expecting the advisory "cannot evaluate until apply" error; returns its message. */
export async function expectCannotEvaluate(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (e) {
    expect(e).toBeInstanceOf(UnknownValueError);
    expect((e as Error).message).toMatch(/^cannot evaluate until apply: /);
    return (e as Error).message;
  }
  throw new Error("expected the policy to throw UnknownValueError (cannot evaluate until apply)");
}
