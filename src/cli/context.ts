// The global options every command shares, and the Flow they configure.
import { InvalidArgumentError, type Command } from "commander";
import { Flow } from "../sdk/flow";

export interface GlobalOptions {
  apiUrl?: string;
  project?: string;
  region?: string;
}

export function globalOptions(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}

export function flowFor(cmd: Command): Flow {
  const o = globalOptions(cmd);
  return new Flow({ apiUrl: o.apiUrl, project: o.project, region: o.region });
}

/** Runs `fn` with a Flow and closes its connections afterwards. */
export async function withFlow<T>(cmd: Command, fn: (flow: Flow) => Promise<T>): Promise<T> {
  const flow = flowFor(cmd);
  try {
    return await fn(flow);
  } finally {
    await flow.close();
  }
}

export function parseIntOption(name: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`${name} must be a whole number.`);
    return Number(v);
  };
}
