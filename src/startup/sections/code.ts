// The code package, base64 in a heredoc (or delivered over SFTP by the cluster bootstrap when it
// does not fit), checked against its sha256 and for unsafe paths before anything is extracted
// into /workspace.
import { DELIVERED_CODE_FILE, FLOW_STATE_DIR, WORKSPACE_DIR } from "../constants";
import type { StartupSection } from "./section";

/** `_` is not in the base64 alphabet, so no payload line can end the heredoc early. */
export const PAYLOAD_DELIMITER = "FLOW_EOF";

export const codeSection: StartupSection = {
  name: "code",
  render(spec) {
    const delivered = spec.delivery?.codeSha256;
    if (!spec.code && delivered === undefined) return undefined;
    const fetch = spec.code
      ? [`c=${FLOW_STATE_DIR}/code.tgz`, `base64 -d >"$c" <<'${PAYLOAD_DELIMITER}'`, spec.code.bytes.toString("base64"), PAYLOAD_DELIMITER]
      : [`c=${DELIVERED_CODE_FILE}`];
    return [
      "step code",
      ...fetch,
      `echo "${spec.code?.sha256 ?? delivered}  $c" | sha256sum -c --quiet -`,
      // grep without -q reads the whole list (no SIGPIPE under pipefail) and prints the offenders.
      `if tar -tzf "$c" | grep -E '^/|(^|/)\\.\\.(/|$)'; then echo "unsafe paths in the code package"; exit 1; fi`,
      `mkdir -p ${WORKSPACE_DIR}`,
      `tar -xzmf "$c" -C ${WORKSPACE_DIR} --no-same-owner`,
    ].join("\n");
  },
};
