// Jest globalTeardown: every mithril-dialect response of the whole run conformed to the OpenAPI
// document, or the run fails here, listing the ones that did not.
const { readFileSync, rmSync } = require("node:fs");
const path = require("node:path");

module.exports = async function globalTeardown() {
  const file = process.env.FCP_EMULATOR_OPENAPI_VIOLATIONS;
  if (!file) return;
  const violations = readFileSync(file, "utf8").split("\n").filter((line) => line !== "");
  rmSync(path.dirname(file), { recursive: true, force: true });
  if (violations.length > 0) {
    throw new Error(`fcp-emulator sent ${violations.length} response(s) that break the Mithril OpenAPI document:\n${violations.slice(0, 20).join("\n")}`);
  }
};
