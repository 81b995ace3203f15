// Turns a parsed TaskConfig plus what only deploy time knows (volume ids and interfaces, the
// packaged code) into the startup spec of `src/startup`. Pure, so it is tested without an engine.
import type { CodePayload, StartupRun, StartupSpec, StartupVolume } from "../startup/spec";
import type { TaskConfig, TaskEntrypoint } from "./task-config";

export interface MountedVolume {
  volumeId: string;
  mountPath: string;
  interface: "block" | "file";
}

export function taskStartupSpec(config: TaskConfig, env: Record<string, string>, volumes: MountedVolume[], code?: CodePayload): StartupSpec {
  return {
    taskName: config.name,
    env,
    volumes: volumes.map((v): StartupVolume => ({ interface: v.interface, volumeId: v.volumeId, mountPath: v.mountPath })),
    code,
    cluster: config.numInstances > 1 ? { numNodes: config.numInstances } : undefined,
    run: runOf(config.entrypoint, config.image, config.workingDir),
    maxRunTimeHours: config.maxRunTimeHours,
  };
}

const DASH_C_INTERPRETERS = /(^|\/)(python[0-9.]*|bash|sh|zsh|dash)$/;

function runOf(entrypoint: TaskEntrypoint, image: string | undefined, workingDir: string): StartupRun {
  switch (entrypoint.kind) {
    case "argv":
      return { image, command: entrypoint.argv, workingDir };
    case "shell":
      return { image, command: entrypoint.commandLine, workingDir };
    case "script": {
      const [interpreter] = entrypoint.interpreter.slice(-1);
      // Interpreters that take a program with -c get it as one argument: no temp file, no quoting
      // beyond the argv's own.
      if (DASH_C_INTERPRETERS.test(interpreter)) {
        return { image, command: [...entrypoint.interpreter, "-c", entrypoint.content], workingDir };
      }
      const file = "/tmp/flow-task-script";
      const quoted = `'${entrypoint.content.replace(/'/g, `'\\''`)}'`;
      const argv = entrypoint.interpreter.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
      return { image, command: `printf '%s' ${quoted} > ${file} && exec ${argv} ${file}`, workingDir };
    }
  }
}
