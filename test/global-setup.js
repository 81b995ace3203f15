// Jest globalSetup: installs flow-compute (scripts/flow-compute/venv.sh, cached) and turns on
// OpenAPI response validation for every emulator the run starts in the mithril dialect. Workers
// inherit these variables. FCP_EMULATOR_VALIDATE_OPENAPI=0 opts out (e.g. without python3-venv).
const { execFileSync } = require("node:child_process");
const { existsSync, mkdtempSync, writeFileSync } = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const OPENAPI_IN_PACKAGE = "flow/adapters/providers/builtin/mithril/api/openapi.json";

module.exports = async function globalSetup() {
  if (process.env.FCP_EMULATOR_VALIDATE_OPENAPI === "0") return;
  if (!process.env.FLOW_COMPUTE_OPENAPI) {
    const script = path.join(__dirname, "../scripts/flow-compute/venv.sh");
    let venv;
    try {
      venv = execFileSync("bash", [script], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim().split("\n").pop();
    } catch (err) {
      throw new Error(
        `Could not install flow-compute for the OpenAPI checks (${err.message}). It needs python3 with venv (apt-get install python3-venv) and PyPI; or set FCP_EMULATOR_VALIDATE_OPENAPI=0 to run without them.`,
      );
    }
    const sitePackages = execFileSync(path.join(venv, "bin/python"), ["-c", "import flow, os; print(os.path.dirname(os.path.dirname(flow.__file__)))"], {
      encoding: "utf8",
    }).trim();
    process.env.FLOW_COMPUTE_OPENAPI = path.join(sitePackages, OPENAPI_IN_PACKAGE);
    process.env.FLOW_COMPUTE_VENV = venv;
  }
  if (!existsSync(process.env.FLOW_COMPUTE_OPENAPI)) {
    throw new Error(`The Mithril OpenAPI document is not at ${process.env.FLOW_COMPUTE_OPENAPI}: does this flow-compute release still ship it?`);
  }
  process.env.FCP_EMULATOR_VALIDATE_OPENAPI = "1";
  const dir = mkdtempSync(path.join(os.tmpdir(), "fcp-openapi-"));
  process.env.FCP_EMULATOR_OPENAPI_VIOLATIONS = path.join(dir, "violations.txt");
  writeFileSync(process.env.FCP_EMULATOR_OPENAPI_VIOLATIONS, "");
};
