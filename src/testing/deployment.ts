// One preview or update: the engine side of a program run. Each registration becomes a step
// (Check, Analyze, Diff, then create/update/replace/same) performed before the program gets the
// outputs back, so dependents see real values and dependency order falls out of the program's
// own data flow; resources the program no longer declares are deleted at the end, dependents first.
import * as resproto from "@pulumi/pulumi/proto/resource_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { deleteFromProvider, protectedMessage } from "./delete-step";
import { LocalEngineError, ResourceOperationError, formatViolation, type InitFailure } from "./errors";
import { forEachInReverseDependencyOrder } from "./graph";
import { toStruct } from "./grpc-call";
import { ConcurrencyLimiter } from "../util/semaphore";
import type { RegistrationHandler } from "./engine-monitor";
import { decideOp } from "./plan";
import type { PolicyAnalyzer } from "./policy-analyzer";
import { applyIgnoreChanges } from "./property-path";
import {
  annotateSecrets,
  changedKeys,
  markSecretKeys,
  toPropertyMap,
  unwrapMap,
  valuesEqual,
  type PropertyMap,
} from "./property-values";
import type { ProviderClient, ResourceRef } from "./provider-plugin";
import { dependenciesOf, type ResourceState } from "./resource-state";
import { resourceOp, type OpType, type PolicyViolation, type ResourceOp } from "./result";
import { makeUrn } from "./urn";

export interface DeploymentOptions {
  dryRun: boolean;
  project: string;
  stack: string;
  parallel: number;
  /** The state before this run (decrypted). */
  resources: readonly ResourceState[];
  provider: () => Promise<ProviderClient>;
  analyzers: () => Promise<readonly PolicyAnalyzer[]>;
  /** Persists a snapshot of the state; not called in a dry run. */
  persist: (resources: readonly ResourceState[]) => Promise<void>;
}

const DYNAMIC_TYPE_PREFIX = "pulumi-nodejs:dynamic";

/** What the program declared for one resource: the new state minus what steps compute. */
type Goal = Omit<ResourceState, "id" | "outputs" | "initErrors" | "pendingDelete">;

interface StepResult {
  id: string;
  outputs: PropertyMap;
}

function refOf(r: Goal): ResourceRef {
  return { urn: r.urn, name: r.name, type: r.type };
}

/** Outputs as the engine records them: secret where the inputs were, plus additionalSecretOutputs. */
function finalizeOutputs(outputs: PropertyMap, inputs: PropertyMap, additionalSecretOutputs: readonly string[]): PropertyMap {
  return markSecretKeys(annotateSecrets(outputs, inputs), additionalSecretOutputs);
}

export class Deployment implements RegistrationHandler {
  readonly ops: ResourceOp[] = [];
  readonly errors: Error[] = [];
  readonly violations: PolicyViolation[] = [];
  private working: ResourceState[];
  private readonly old = new Map<string, ResourceState>();
  private readonly seen = new Set<string>();
  /** Old copies replaced in this run: their deletes belong to the replace op. */
  private readonly replaced = new Set<ResourceState>();
  private readonly limiter: ConcurrencyLimiter;
  private stopped = false;

  constructor(private readonly options: DeploymentOptions) {
    this.working = [...options.resources];
    for (const r of options.resources) {
      if (!r.pendingDelete) {
        this.old.set(r.urn, r);
      }
    }
    this.limiter = new ConcurrencyLimiter(options.parallel, "parallel");
  }

  /** Stops new steps (the first failure, or a failed program); running ones finish. */
  stop(error?: Error): void {
    if (error) {
      this.errors.push(error);
    }
    this.stopped = true;
  }

  get mandatoryViolations(): PolicyViolation[] {
    return this.violations.filter((v) => v.enforcementLevel === "mandatory");
  }

  /** The state as it stands (after a dry run: as it would stand). */
  get resources(): readonly ResourceState[] {
    return this.working;
  }

  private live(urn: string): ResourceState | undefined {
    return this.working.find((r) => r.urn === urn && !r.pendingDelete);
  }

  private put(previous: ResourceState | undefined, next: ResourceState): void {
    const i = previous ? this.working.indexOf(previous) : -1;
    if (i >= 0) {
      this.working[i] = next;
    } else {
      this.working.push(next);
    }
  }

  /** Keeps the old copy of a resource replaced create-before-delete until the deletes at the end. */
  private retire(old: ResourceState): void {
    const pending = { ...old, pendingDelete: true };
    this.replaced.add(pending);
    this.put(old, pending);
  }

  private remove(r: ResourceState): void {
    this.working = this.working.filter((x) => x !== r);
  }

  private async persist(): Promise<void> {
    if (!this.options.dryRun) {
      await this.options.persist(this.working);
    }
  }

  private parseGoal(req: resproto.RegisterResourceRequest, urn: string): Goal {
    const parent = req.getParent() || undefined;
    const propertyDependencies: Record<string, string[]> = {};
    for (const [key, deps] of req.getPropertydependenciesMap().entries()) {
      propertyDependencies[key] = deps.getUrnsList();
    }
    return {
      urn,
      type: req.getType(),
      name: req.getName(),
      custom: req.getCustom(),
      ...(parent ? { parent } : {}),
      inputs: toPropertyMap(req.getObject()?.toJavaScript() ?? {}, `inputs of ${urn}`),
      dependencies: req.getDependenciesList(),
      propertyDependencies,
      protect: req.getProtect() ?? false,
      retainOnDelete: req.getRetainondelete() ?? false,
      deleteBeforeReplace: req.getDeletebeforereplace(),
      ignoreChanges: req.getIgnorechangesList(),
      additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
      replaceOnChanges: req.getReplaceonchangesList(),
    };
  }

  private respond(urn: string, result?: StepResult): resproto.RegisterResourceResponse {
    const resp = new resproto.RegisterResourceResponse();
    resp.setUrn(urn);
    if (result) {
      resp.setId(result.id);
      resp.setObject(toStruct(result.outputs));
      resp.setResult(resproto.Result.SUCCESS);
    } else {
      // The SDK resolves a failed resource's outputs as unknown, so the program runs to its end.
      resp.setObject(new Struct());
      resp.setResult(resproto.Result.FAIL);
    }
    return resp;
  }

  private record(goal: Goal, op: OpType): ResourceOp {
    const entry = resourceOp(goal, op, "planned");
    this.ops.push(entry);
    return entry;
  }

  async registerResource(req: resproto.RegisterResourceRequest): Promise<resproto.RegisterResourceResponse> {
    const urn = makeUrn(this.options.stack, this.options.project, req.getType(), req.getName(), req.getParent() || undefined);
    if (this.seen.has(urn)) {
      this.stop(new ResourceOperationError(urn, "check", "the program declares this URN twice; resource names must be unique per type and parent."));
      return this.respond(urn);
    }
    this.seen.add(urn);
    let goal: Goal;
    try {
      goal = this.parseGoal(req, urn);
      if (req.getImportid()) {
        throw new ResourceOperationError(urn, "create", "the import option is not supported (dynamic resources cannot be imported).");
      }
    } catch (err) {
      this.stop(err instanceof Error ? err : new Error(String(err)));
      return this.respond(urn);
    }
    const op = this.record(goal, this.old.has(urn) ? "same" : "create");
    const step = async (): Promise<StepResult | undefined> => {
      // Checked once the step has a slot: a failure may have happened while it waited.
      if (this.stopped) {
        op.status = "skipped";
        return undefined;
      }
      try {
        const result = goal.custom ? await this.stepCustom(goal, op) : await this.stepComponent(goal, op);
        op.status = this.options.dryRun ? "planned" : "done";
        return result;
      } catch (err) {
        const error =
          err instanceof LocalEngineError
            ? err
            : new ResourceOperationError(urn, op.op === "same" ? "update" : op.op, err instanceof Error ? err.message : String(err), {
                cause: err,
              });
        op.status = "failed";
        op.error = error.message;
        this.stop(error);
        return undefined;
      }
    };
    return this.respond(urn, await (goal.custom ? this.limiter.run(step) : step()));
  }

  registerResourceOutputs(urn: string, outputs: Struct | undefined): void {
    const r = this.live(urn);
    if (!r) {
      return;
    }
    this.put(r, { ...r, outputs: toPropertyMap(outputs?.toJavaScript() ?? {}, `outputs of ${urn}`) });
    void this.persist().catch((err: unknown) => this.stop(err instanceof Error ? err : new Error(String(err))));
  }

  /** Asks every policy pack; returns the mandatory violations that stop a real run (none in a dry run). */
  private async checkPolicies(ask: (analyzer: PolicyAnalyzer) => Promise<PolicyViolation[]>): Promise<PolicyViolation[]> {
    const found: PolicyViolation[] = [];
    for (const analyzer of await this.options.analyzers()) {
      found.push(...(await ask(analyzer)));
    }
    this.violations.push(...found);
    return this.options.dryRun ? [] : found.filter((v) => v.enforcementLevel === "mandatory");
  }

  private async analyze(r: ResourceState, properties: PropertyMap): Promise<void> {
    const mandatory = await this.checkPolicies((analyzer) => analyzer.analyze(r, properties));
    if (mandatory.length > 0) {
      throw new ResourceOperationError(r.urn, "policy", mandatory.map(formatViolation).join("; "));
    }
  }

  private async stepComponent(goal: Goal, op: ResourceOp): Promise<StepResult> {
    const old = this.old.get(goal.urn);
    if (old) {
      op.changedKeys = changedKeys(old.inputs, goal.inputs);
      op.op = op.changedKeys.length > 0 ? "update" : "same";
    }
    const next: ResourceState = { ...goal, outputs: old?.outputs ?? {} };
    await this.analyze(next, goal.inputs);
    this.put(old, next);
    await this.persist();
    return { id: "", outputs: {} };
  }

  private async stepCustom(goal: Goal, op: ResourceOp): Promise<StepResult> {
    const { urn } = goal;
    if (!goal.type.startsWith(DYNAMIC_TYPE_PREFIX)) {
      throw new ResourceOperationError(
        urn,
        op.op === "same" ? "update" : "create",
        `LocalEngine runs dynamic resources (types "${DYNAMIC_TYPE_PREFIX}...") only; "${goal.type}" needs its own ` +
          `provider plugin. Test such programs with pulumi.runtime.setMocks or the Pulumi CLI.`,
      );
    }
    const old = this.old.get(urn);
    const provider = await this.options.provider();
    const ref = refOf(goal);
    const checked = await provider.check(ref, old ? unwrapMap(old.inputs) : {}, unwrapMap(goal.inputs));
    if (checked.failures.length > 0) {
      throw new ResourceOperationError(urn, "check", failuresMessage(checked.failures));
    }
    let inputs = annotateSecrets(checked.inputs, goal.inputs);
    if (old && goal.ignoreChanges.length > 0) {
      inputs = applyIgnoreChanges(old.inputs, inputs, goal.ignoreChanges);
    }
    let planned: ResourceState = { ...goal, inputs, outputs: {} };
    await this.analyze(planned, inputs);

    if (old) {
      const diff = await provider.diff(
        ref,
        old.id ?? "",
        unwrapMap(old.outputs),
        unwrapMap(old.inputs),
        unwrapMap(inputs),
        goal.ignoreChanges,
      );
      const decision = decideOp({
        diff,
        inputChanges: changedKeys(old.inputs, inputs),
        outputChanges: Object.keys(inputs)
          .filter((k) => !k.startsWith("__") && k in old.outputs && !valuesEqual(old.outputs[k], inputs[k]))
          .sort(),
        replaceOnChanges: goal.replaceOnChanges,
        deleteBeforeReplace: goal.deleteBeforeReplace,
        hasInitErrors: (old.initErrors?.length ?? 0) > 0,
      });
      Object.assign(op, decision);
      if (decision.op === "replace" && old.protect) {
        throw new ResourceOperationError(urn, "replace", protectedMessage(old, "replace"));
      }
      if (decision.op === "replace") {
        // As the CLI's step generator does: a replacement is a new resource, so its defaults
        // (auto-names above all) are computed again, with no old inputs to carry over.
        const rechecked = await provider.check(ref, {}, unwrapMap(goal.inputs));
        if (rechecked.failures.length > 0) {
          throw new ResourceOperationError(urn, "check", failuresMessage(rechecked.failures));
        }
        planned = { ...goal, inputs: annotateSecrets(rechecked.inputs, goal.inputs), outputs: {} };
      }
    }

    if (this.options.dryRun) {
      return this.planStep(op.op, old, planned);
    }
    switch (op.op) {
      case "create":
        return this.create(provider, planned, undefined);
      case "same": {
        const next: ResourceState = { ...planned, id: old?.id, outputs: old?.outputs ?? {} };
        if (old?.initErrors) {
          next.initErrors = old.initErrors;
        }
        this.put(old, next);
        await this.persist();
        return { id: old?.id ?? "", outputs: next.outputs };
      }
      case "update":
        return this.update(provider, planned, old as ResourceState);
      case "replace":
        return this.replace(provider, planned, old as ResourceState, op.deleteBeforeReplace);
      default:
        throw new LocalEngineError(`unexpected op ${op.op} for ${urn} (a LocalEngine bug).`);
    }
  }

  /** A dry run shows the program the inputs as outputs; what only the provider computes stays unknown. */
  private planStep(op: OpType, old: ResourceState | undefined, planned: ResourceState): StepResult {
    if (op === "same" && old) {
      this.put(old, { ...planned, id: old.id, outputs: old.outputs });
      return { id: old.id ?? "", outputs: old.outputs };
    }
    const next: ResourceState = { ...planned, outputs: planned.inputs };
    if (op === "replace" && old) {
      this.retire(old);
      this.put(undefined, next);
    } else {
      if (op === "update" && old) {
        next.id = old.id;
      }
      this.put(old, next);
    }
    return { id: op === "update" ? (old?.id ?? "") : "", outputs: planned.inputs };
  }

  private async create(
    provider: ProviderClient,
    planned: ResourceState,
    replacing: ResourceState | undefined,
  ): Promise<StepResult> {
    let id: string;
    let outputs: PropertyMap;
    let failure: ResourceOperationError | undefined;
    try {
      const created = await provider.create(refOf(planned), unwrapMap(planned.inputs));
      id = created.id;
      outputs = finalizeOutputs(created.properties, planned.inputs, planned.additionalSecretOutputs);
    } catch (err) {
      if (!(err instanceof ResourceOperationError) || !err.initFailure) {
        throw err;
      }
      // The provider created something that did not become ready: keep it, as the CLI does.
      failure = err;
      id = err.initFailure.id;
      outputs = this.initFailureOutputs(err.initFailure, planned);
    }
    const next: ResourceState = { ...planned, id, outputs };
    if (failure?.initFailure) {
      next.initErrors = initErrorsOf(failure.initFailure, failure);
    }
    if (replacing) {
      this.retire(replacing);
    }
    this.put(undefined, next);
    await this.persist();
    if (failure) {
      throw failure;
    }
    return { id, outputs };
  }

  private initFailureOutputs(init: InitFailure, planned: ResourceState): PropertyMap {
    return finalizeOutputs(toPropertyMap(init.properties, `properties of the initialization failure of ${planned.urn}`), planned.inputs, planned.additionalSecretOutputs);
  }

  private async update(provider: ProviderClient, planned: ResourceState, old: ResourceState): Promise<StepResult> {
    const id = old.id ?? "";
    try {
      const updated = await provider.update(
        refOf(planned),
        id,
        unwrapMap(old.outputs),
        unwrapMap(planned.inputs),
        unwrapMap(old.inputs),
        planned.ignoreChanges,
      );
      const next: ResourceState = {
        ...planned,
        id,
        outputs: finalizeOutputs(updated.properties, planned.inputs, planned.additionalSecretOutputs),
      };
      this.put(old, next);
      await this.persist();
      return { id, outputs: next.outputs };
    } catch (err) {
      const init = err instanceof ResourceOperationError ? err.initFailure : undefined;
      if (init) {
        this.put(old, {
          ...planned,
          id,
          outputs: this.initFailureOutputs(init, planned),
          initErrors: initErrorsOf(init, err as Error),
        });
        await this.persist();
      }
      throw err;
    }
  }

  private async replace(
    provider: ProviderClient,
    planned: ResourceState,
    old: ResourceState,
    deleteBeforeReplace: boolean,
  ): Promise<StepResult> {
    if (!deleteBeforeReplace) {
      // Create-before-delete: the old copy is deleted at the end of the run, with the other deletes.
      return this.create(provider, planned, old);
    }
    await deleteFromProvider(this.options.provider, old);
    this.remove(old);
    await this.persist();
    return this.create(provider, planned, undefined);
  }

  /**
   * Ends the run: unless something failed, deletes what the program no longer declares and the
   * old copies of replaced resources (dependents first), then runs the stack policies.
   */
  async finish(): Promise<void> {
    if (this.errors.length > 0) {
      await this.persist();
      return;
    }
    const doomed = this.working.filter((r) => r.pendingDelete || !this.seen.has(r.urn));
    const blocked = doomed.filter((r) => !r.pendingDelete && r.protect);
    if (blocked.length > 0) {
      for (const r of blocked) {
        this.stop(new ResourceOperationError(r.urn, "delete", `it was removed from the program, but ${protectedMessage(r, "delete")}`));
      }
      return;
    }
    const deleteErrors = await forEachInReverseDependencyOrder(doomed, dependenciesOf, this.options.parallel, async (r) => {
      const op = this.replaced.has(r) ? undefined : this.record(r, "delete");
      if (this.options.dryRun) {
        this.remove(r);
        return;
      }
      try {
        await deleteFromProvider(this.options.provider, r);
      } catch (err) {
        if (op) {
          op.status = "failed";
          op.error = err instanceof Error ? err.message : String(err);
        }
        throw err;
      }
      this.remove(r);
      if (op) {
        op.status = "done";
      }
      await this.persist();
    });
    for (const err of deleteErrors) {
      this.stop(err);
    }
    if (deleteErrors.length > 0) {
      return;
    }
    const live = this.working.filter((r) => !r.pendingDelete);
    const mandatory = await this.checkPolicies((analyzer) => analyzer.analyzeStack(live));
    if (mandatory.length > 0) {
      this.stop(
        new LocalEngineError(
          `stack policies reported ${mandatory.length} mandatory violation(s) after the update: ${mandatory.map(formatViolation).join("; ")}`,
        ),
      );
    }
  }
}

/** What state records about a failed initialization: the provider's reasons, else the error. */
function initErrorsOf(init: InitFailure, err: Error): string[] {
  return init.reasons.length > 0 ? init.reasons : [err.message];
}

function failuresMessage(failures: readonly { property?: string; reason: string }[]): string {
  return failures.map((f) => (f.property ? `${f.property}: ${f.reason}` : f.reason)).join("; ");
}
