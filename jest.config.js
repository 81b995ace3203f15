// Two projects so a developer can run the fast half alone: `npm run test:unit`.
/** @type {import('jest').Config} */
const tsJest = ["ts-jest", { tsconfig: "tsconfig.json" }];
// The policy pack imports the package by name, as users do; tests read the source, not dist/.
const packageByName = { "^pulumi-fcp$": "<rootDir>/src/index.ts", "^pulumi-fcp/startup$": "<rootDir>/src/startup/index.ts" };
module.exports = {
  // Jest reads the timeout only at the top level, not per project. Plugins start in seconds on a
  // loaded 2-core machine.
  testTimeout: 120000,
  reporters: ["default", "<rootDir>/test/summary-reporter.js"],
  // flow-compute's OpenAPI document for the whole run: mithril-dialect emulators validate every
  // response against it, and the teardown fails the run on any violation.
  globalSetup: "<rootDir>/test/global-setup.js",
  globalTeardown: "<rootDir>/test/global-teardown.js",
  projects: [
    {
      displayName: "unit",
      testEnvironment: "node",
      roots: ["<rootDir>/test/unit"],
      transform: { "^.+\\.ts$": tsJest },
      moduleNameMapper: packageByName,
    },
    {
      displayName: "integration",
      testEnvironment: "node",
      roots: ["<rootDir>/test/integration"],
      transform: { "^.+\\.ts$": tsJest },
      moduleNameMapper: packageByName,
    },
  ],
};
