// Waits, bounded, for what the cluster bootstrap delivers over SSH after allocation: the code
// package's sha256 file (written after the package itself) and the secret env file. Nothing of
// either is in the script; only the expected digest and the variable names are.
import { DELIVERED_CODE_SHA_FILE, SECRET_ENV_FILE } from "../constants";
import type { StartupSection } from "./section";

const POLL_SECONDS = 2;

export const deliverySection: StartupSection = {
  name: "delivery",
  render(spec) {
    if (!spec.delivery) return undefined;
    const files = [
      ...(spec.delivery.codeSha256 !== undefined ? [DELIVERED_CODE_SHA_FILE] : []),
      ...(spec.delivery.secretEnvNames.length > 0 ? [SECRET_ENV_FILE] : []),
    ];
    const { waitSeconds } = spec.delivery;
    return [
      "step delivery",
      "t=0",
      // One bounded wait shared by every file: t keeps counting from one to the next.
      ...files.map(
        (f) =>
          `until [ -e ${f} ]; do if [ "$t" -ge ${waitSeconds} ]; then echo "${f} was not delivered within ${waitSeconds} s (the cluster bootstrap brings it over SSH)"; exit 1; fi; sleep ${POLL_SECONDS}; t=$((t+${POLL_SECONDS})); done`,
      ),
      'echo "delivered over SSH: $(cd /var/lib/flow && ls code.tgz secret.env 2>/dev/null | tr "\\n" " ")"',
    ].join("\n");
  },
};
