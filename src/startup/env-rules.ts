// Which environment variables a startup script may set. The startup spec's check and TaskConfig's
// both read these rules, so a config that parses also builds.
import { API_KEY_ENV_ALIASES, API_KEY_ENV_NAMES } from "../fcp-api/api-key-env-names";

/** What bash accepts as a variable name. */
export const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The cluster section sets `FLOW_NODE_RANK`, `FLOW_NUM_NODES`, ...; users may not. */
export const RESERVED_ENV_PREFIX = "FLOW_";

/** Names bash keeps read-only or recomputes on every use: the task would not get the value given. */
const SHELL_SPECIAL = new Set([
  "_", "BASH", "BASHOPTS", "BASHPID", "BASH_ALIASES", "BASH_ARGC", "BASH_ARGV", "BASH_ARGV0", "BASH_CMDS",
  "BASH_COMMAND", "BASH_EXECUTION_STRING", "BASH_LINENO", "BASH_MONOSECONDS", "BASH_REMATCH", "BASH_SOURCE",
  "BASH_SUBSHELL", "BASH_TRAPSIG", "BASH_VERSINFO", "BASH_VERSION", "DIRSTACK", "EPOCHREALTIME", "EPOCHSECONDS",
  "EUID", "FUNCNAME", "GROUPS", "HISTCMD", "LINENO", "OPTIND", "PIPESTATUS", "PPID", "RANDOM", "SECONDS",
  "SHELLOPTS", "SRANDOM", "UID",
]);
/** Names people give the FCP key. The key must never be in a script any project member can read. */
const API_KEY_NAMES: ReadonlySet<string> = new Set([...API_KEY_ENV_NAMES, ...API_KEY_ENV_ALIASES]);
/** Set by the cluster section; a user value would break the rendezvous. */
const CLUSTER_NAMES = new Set(["MASTER_ADDR", "NODE_RANK", "NODE_IPS"]);

/** Whether `name` is one people give the FCP API key. */
export function isApiKeyEnvName(name: string): boolean {
  return API_KEY_NAMES.has(name);
}

/** Why a startup script of a task on `numNodes` nodes cannot set `name`; undefined when it can. */
export function envNameProblem(name: string, numNodes: number): string | undefined {
  if (!ENV_NAME_RE.test(name)) return "is not a valid variable name: use letters, digits and '_', not starting with a digit";
  if (isApiKeyEnvName(name)) {
    return "looks like the FCP API key; a startup script is readable by every member of the project, so it must never hold the key";
  }
  if (name.startsWith(RESERVED_ENV_PREFIX)) return `uses the reserved prefix ${RESERVED_ENV_PREFIX} (set by the cluster section)`;
  if (SHELL_SPECIAL.has(name)) return "is a variable bash keeps read-only or recomputes, so the task would not see the value given";
  if (numNodes > 1 && CLUSTER_NAMES.has(name)) return "is set by the cluster section of a multi-node task";
  return undefined;
}
