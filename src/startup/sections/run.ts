// Starts the task in the background, output to task.log; `completion` waits for it, so `limits`
// can arm the deadline while it runs. task_pid is the task's process id.
import { CLUSTER_EXPORTS } from "./cluster";
import { SECRET_ENV_FILE, TASK_LOG_FILE, WORKSPACE_DIR } from "../constants";
import { shellQuote, shellWord, shellWords } from "../shell-quote";
import { volumeBinds } from "./volumes";
import type { StartupSection } from "./section";

const PULL_ATTEMPTS = 5;
const PULL_BACKOFF_SECONDS = 15;
const REDIRECT = `>>${TASK_LOG_FILE} 2>&1 </dev/null &`;

export const runSection: StartupSection = {
  name: "run",
  render(spec) {
    const { image, command, workingDir, gpus } = spec.run;
    const lines = ["step run"];
    if (gpus) lines.push('nvidia-smi -L || echo "nvidia-smi failed"');
    const hasEnv = spec.env.length > 0;
    const secretNames = spec.delivery?.secretEnvNames ?? [];
    // The secret file is sourced in the task's own subshell only: this script never holds the values.
    const sourceSecrets = secretNames.length > 0 ? `set -a && . ${SECRET_ENV_FILE} && set +a && ` : "";
    if (image === undefined) {
      const argv = typeof command === "string" ? ["bash", "-c", command] : (command ?? []);
      const exportEnv = hasEnv ? ' && export "${task_env[@]}"' : "";
      lines.push(`mkdir -p ${shellWord(workingDir)}`);
      lines.push(`(cd ${shellWord(workingDir)}${exportEnv} && ${sourceSecrets}exec ${shellWords(argv)}) ${REDIRECT}`);
    } else {
      lines.push(`image=${shellQuote(image)}`);
      lines.push(
        `for i in ${Array.from({ length: PULL_ATTEMPTS }, (_, i) => i + 1).join(" ")}; do if docker pull -q "$image"; then break; fi; ` +
          `if [ "$i" = ${PULL_ATTEMPTS} ]; then echo "docker pull $image failed ${PULL_ATTEMPTS} times"; exit 1; fi; sleep $((i*${PULL_BACKOFF_SECONDS})); done`,
      );
      const args = ["docker run --name flow-task"];
      if (gpus) args.push("--gpus all");
      args.push("--network host --ipc host");
      if (hasEnv) {
        lines.push('env_args=(); for e in "${task_env[@]}"; do env_args+=(-e "$e"); done');
        args.push('"${env_args[@]}"');
      }
      if (spec.cluster) args.push(CLUSTER_EXPORTS.map((name) => `-e ${name}`).join(" "));
      if (secretNames.length > 0) args.push(secretNames.map((name) => `-e ${name}`).join(" "));
      args.push(volumeBinds([WORKSPACE_DIR, ...spec.volumes.map((v) => v.mountPath).filter((p) => p !== WORKSPACE_DIR)]));
      args.push(`-w ${shellWord(workingDir)} "$image"`);
      if (typeof command === "string") args.push(shellWords(["sh", "-c", command]));
      else if (command !== undefined) args.push(shellWords(command));
      lines.push(secretNames.length > 0 ? `(${sourceSecrets}exec ${args.join(" ")}) ${REDIRECT}` : `${args.join(" ")} ${REDIRECT}`);
    }
    lines.push("task_pid=$!");
    return lines.join("\n");
  },
};
