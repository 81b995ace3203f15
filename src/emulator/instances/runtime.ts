// What boots an emulated instance. The sandbox runtime (namespaces over the host's read-only
// root) is the one there is; a container runtime can implement the same interface later. The
// emulator's fleet decides when to boot and stop; a runtime only knows how.
import type { ChildProcess } from "node:child_process";
import type { GpuSpec } from "./stubs";

export interface VolumeAttachment {
  fid: string;
  interface: "block" | "file";
  /** Host directory that holds the volume's data; it outlives every bid that uses it. */
  hostDir: string;
}

export interface BootSpec {
  instanceFid: string;
  bidFid: string;
  /** Host directory that is this instance's disk: kept across emulator restarts (reboots). */
  dir: string;
  /** Run the startup script: only on the first boot, as on FCP. */
  firstBoot: boolean;
  startupScript: string;
  gpu: GpuSpec;
  volumes: readonly VolumeAttachment[];
  /** OpenSSH public keys allowed in, written to ~/.ssh/authorized_keys of root and ubuntu. */
  authorizedKeys: readonly string[];
}

export interface SpawnOptions {
  /** Login name; sessions run as root inside the sandbox either way (FCP images give ubuntu passwordless sudo). */
  user: "root" | "ubuntu";
  env?: Record<string, string>;
  /** Give the process a pseudo-terminal of this size (for an interactive shell). */
  pty?: { term: string; cols: number; rows: number; /** Names the session for `resizePty`: [A-Za-z0-9-]. */ session: string };
}

export interface StartupOutcome {
  /** null while the startup script runs (or when it never ran on this disk). */
  exitCode: number | null;
  /** The last lines of /var/log/foundry/startup_script.log. */
  logTail: string;
}

export interface BootedInstance {
  /** Runs `bash -c command` (or a login shell when command is undefined) inside the instance. */
  spawn(command: string | undefined, options: SpawnOptions): ChildProcess;
  /** Applies a client's window-change to a pty session; false if the session has no terminal (any more). */
  resizePty(session: string, size: { cols: number; rows: number }): Promise<boolean>;
  /** Forgets a finished pty session. */
  forgetPty(session: string): Promise<void>;
  /** Reads a file by its path inside the instance, or undefined when it does not exist. */
  readFile(instancePath: string): Promise<Buffer | undefined>;
  startup(): Promise<StartupOutcome>;
  /** Host pid of the instance's first process, for diagnostics and tests. */
  readonly pid: number;
  /** Called with the seconds until poweroff each time the instance asks for one. */
  onPowerOffRequest(listener: (seconds: number) => void): void;
  /** Called once if the instance dies on its own. */
  onExit(listener: (reason: string) => void): void;
  /** Kills every process of the instance and resolves once they are gone. */
  stop(): Promise<void>;
}

export interface InstanceRuntime {
  readonly name: string;
  boot(spec: BootSpec): Promise<BootedInstance>;
}
