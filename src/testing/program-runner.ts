// Runs an inline program the way the Automation API's language server does: in a fresh runtime
// store of its own (so engines can run side by side in one process), inside a root Stack whose
// outputs are what the program returns, with config set and logs captured.
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import * as engproto from "@pulumi/pulumi/proto/engine_pb";
import * as runtimeConfig from "@pulumi/pulumi/runtime/config";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { registerStackTransformation, runInPulumiStack } from "@pulumi/pulumi/runtime/stack";
import { LocalEngineError } from "./errors";
import type { ResolvedConfig } from "./config";
import type { EngineMonitor } from "./engine-monitor";
import type { Diagnostic } from "./result";

/**
 * A Pulumi program: an async function that declares resources and returns the stack outputs,
 * as with the Automation API's inline programs.
 */
export type PulumiProgram = () => Promise<Record<string, unknown> | void> | Record<string, unknown> | void;

type Callback = (err: Error | null, response?: unknown) => void;

/** The runtime's internal store: the parts this runner sets. */
interface RuntimeStore {
  settings: { engine?: unknown };
  supportsSecrets: boolean;
  supportsResourceReferences: boolean;
  supportsOutputValues: boolean;
}

interface RuntimeState {
  withLocalStorage<T>(callback: () => Promise<T>): Promise<T>;
  getStore(): RuntimeStore;
}

// `withLocalStorage` is internal to @pulumi/pulumi (the Automation API uses it for the same purpose).
const runtimeState = require("@pulumi/pulumi/runtime/state") as Partial<RuntimeState>;

function internalState(): RuntimeState {
  if (typeof runtimeState.withLocalStorage !== "function" || typeof runtimeState.getStore !== "function") {
    throw new LocalEngineError(
      "this version of @pulumi/pulumi has no runtime/state withLocalStorage; LocalEngine needs @pulumi/pulumi 3.100 or later.",
    );
  }
  return runtimeState as RuntimeState;
}

const SEVERITIES: Record<number, Diagnostic["severity"]> = {
  [engproto.LogSeverity.DEBUG]: "debug",
  [engproto.LogSeverity.INFO]: "info",
  [engproto.LogSeverity.WARNING]: "warning",
  [engproto.LogSeverity.ERROR]: "error",
};

// Unhandled rejections (an `apply` callback that throws) cannot be traced to the run that caused
// them, so while programs run each one is reported to every run in progress.
const activeRuns = new Set<(reason: unknown) => void>();
const onUnhandled = (reason: unknown): void => {
  for (const report of activeRuns) {
    report(reason);
  }
};

function trackUnhandled(report: (reason: unknown) => void): () => void {
  if (activeRuns.size === 0) {
    process.on("unhandledRejection", onUnhandled);
  }
  activeRuns.add(report);
  return () => {
    activeRuns.delete(report);
    if (activeRuns.size === 0) {
      process.removeListener("unhandledRejection", onUnhandled);
    }
  };
}

/**
 * Records, for every resource the program declares, whether its registration failed (an input
 * that rejected, say). The CLI learns of such failures through unhandled rejections; a test
 * runner like Jest keeps those from reaching this module, so they are tracked here as well.
 */
function watchRegistrations(registrations: Promise<Error | undefined>[]): void {
  registerStackTransformation((args) => {
    const resource = args.resource as unknown as { urn?: { promise?: () => Promise<unknown> } };
    // The URN is set later in the resource's constructor: look once the constructor is done.
    registrations.push(
      Promise.resolve().then(async () => {
        try {
          await resource.urn?.promise?.();
          return undefined;
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          return new LocalEngineError(`registering ${args.type} "${args.name}" failed: ${message}`, { cause: err });
        }
      }),
    );
    return undefined;
  });
}

export interface ProgramRunOptions {
  monitor: EngineMonitor;
  project: string;
  stack: string;
  organization: string;
  dryRun: boolean;
  config: ResolvedConfig;
}

export interface ProgramRun {
  /** Errors of the program itself (thrown, rejected, or logged with `pulumi.log.error`). */
  errors: Error[];
  diagnostics: Diagnostic[];
}

export async function runProgram(program: PulumiProgram, options: ProgramRunOptions): Promise<ProgramRun> {
  const state = internalState();
  const diagnostics: Diagnostic[] = [];
  const errors: Error[] = [];
  const engine = {
    log(req: engproto.LogRequest, callback: Callback): void {
      const severity = SEVERITIES[req.getSeverity()] ?? "info";
      // The SDK's own debug chatter is not for people.
      if (severity !== "debug") {
        diagnostics.push({ severity, message: req.getMessage(), ...(req.getUrn() ? { urn: req.getUrn() } : {}) });
      }
      callback(null, new Empty());
    },
    setRootResource(_req: unknown, callback: Callback): void {
      callback(null, new engproto.SetRootResourceResponse());
    },
    getRootResource(_req: unknown, callback: Callback): void {
      callback(null, new engproto.GetRootResourceResponse());
    },
  };
  const registrations: Promise<Error | undefined>[] = [];
  const untrack = trackUnhandled((reason) => {
    errors.push(reason instanceof Error ? reason : new Error(`unhandled rejection: ${String(reason)}`));
  });
  try {
    await state.withLocalStorage(async () => {
      settings.setMockOptions(options.monitor, options.project, options.stack, options.dryRun, options.organization);
      const store = state.getStore();
      store.settings.engine = engine;
      store.supportsSecrets = true;
      store.supportsResourceReferences = false;
      store.supportsOutputValues = false;
      runtimeConfig.setAllConfig(options.config.values, options.config.secretKeys);
      const programFailed = (err: unknown): void => {
        errors.push(
          new LocalEngineError(`the program failed: ${err instanceof Error ? err.message : String(err)}`, {
            cause: err,
          }),
        );
      };
      try {
        // The program's error is caught inside the stack: thrown through it, it would also reject
        // promises the SDK derives from the stack's outputs, which nobody awaits.
        await runInPulumiStack(async () => {
          watchRegistrations(registrations);
          try {
            return (await program()) ?? undefined;
          } catch (err) {
            programFailed(err);
            return undefined;
          }
        });
      } catch (err) {
        programFailed(err);
      } finally {
        // Waits for registrations the program did not await, as `pulumi up` does.
        await settings.disconnect(false);
      }
      for (const failure of await Promise.all(registrations)) {
        if (failure && !errors.some((e) => e.message.includes(failure.message))) errors.push(failure);
      }
    });
  } finally {
    // Node reports a rejection nobody handled only once the microtask queue is empty: let a
    // failed registration the program never awaited (an input that rejected) be reported here.
    await new Promise((resolve) => setImmediate(resolve));
    untrack();
  }
  const logged = diagnostics.filter((d) => d.severity === "error");
  if (errors.length === 0 && logged.length > 0) {
    errors.push(new LocalEngineError(`the program logged ${logged.length} error(s): ${logged[0].message}`));
  }
  return { errors, diagnostics };
}
