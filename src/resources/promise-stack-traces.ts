// Registering a resource makes Pulumi's SDK wrap every promise behind its outputs in
// `debuggablePromise` (runtime/debuggable.ts), which formats a stack trace for each: four per
// property, about a hundred per SpotBid. The traces are printed only when the program leaks promises
// and PULUMI_DEBUG_PROMISE_LEAKS is set, yet they are what constructing a resource costs: under
// ts-node (source-map-support maps every frame) 256 SpotBids took 1.8 s, without them 0.15 s.
// The resource's source position is not affected: the SDK raises the limit itself to find it.

/**
 * Stops stack traces from being captured until the returned function is called, unless
 * PULUMI_DEBUG_PROMISE_LEAKS asks for them. Wrap a resource's `super(...)` call in it, restoring in
 * `finally`: the SDK creates those promises synchronously inside the constructor.
 */
export function skipPromiseStackTraces(env: NodeJS.ProcessEnv = process.env): () => void {
  if (env.PULUMI_DEBUG_PROMISE_LEAKS) return () => undefined;
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  return () => {
    Error.stackTraceLimit = limit;
  };
}
