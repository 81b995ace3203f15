// The self-extracting form: a short bash stub that decodes, gunzips and sha256-checks the real
// script before it runs it. Used when the plain script does not fit.
import { gzipSync } from "node:zlib";
import { FLOW_STATE_DIR, STATUS_FILE } from "./constants";
import { sha256Hex } from "./hash";
import { PAYLOAD_DELIMITER } from "./sections/code";

/** Wraps `script` (a complete bash script) into a gzip+base64 self-extracting script. */
export function compressScript(script: string, taskName: string): string {
  const gz = gzipSync(Buffer.from(script, "utf8"), { level: 9 });
  // Header byte 9 is the OS that wrote the gzip; fix it so the output does not depend on it.
  gz[9] = 0xff;
  const inner = `${FLOW_STATE_DIR}/startup.sh`;
  return [
    "#!/bin/bash",
    `# pulumi-fcp startup script for task ${taskName}, gzip+base64; its sha256 is checked before it runs.`,
    "set -euo pipefail",
    `mkdir -p ${FLOW_STATE_DIR}`,
    `base64 -d <<'${PAYLOAD_DELIMITER}' | gzip -dc >${inner}`,
    gz.toString("base64"),
    PAYLOAD_DELIMITER,
    `if ! echo "${sha256Hex(script)}  ${inner}" | sha256sum -c --quiet -; then`,
    `echo '{"task":"${taskName}","status":"failed","step":"unpack","exit_code":1}' >${STATUS_FILE}; exit 1; fi`,
    `exec /bin/bash ${inner}`,
    "",
  ].join("\n");
}
