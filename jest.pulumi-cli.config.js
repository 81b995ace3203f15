// `npm run test:pulumi-cli`: the example stacks through the real Pulumi CLI (scripts/pulumi-cli/build.sh
// builds it). Separate from `npm test`, which needs no CLI; fails, never skips, without one.
/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 600000,
  reporters: ["default", "<rootDir>/test/summary-reporter.js"],
  testEnvironment: "node",
  roots: ["<rootDir>/test/pulumi-cli"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
};
