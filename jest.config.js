// Two projects so a developer can run the fast half alone: `npm run test:unit`.
/** @type {import('jest').Config} */
const tsJest = ["ts-jest", { tsconfig: "tsconfig.json", isolatedModules: true }];
module.exports = {
  projects: [
    {
      displayName: "unit",
      testEnvironment: "node",
      roots: ["<rootDir>/test/unit"],
      transform: { "^.+\\.ts$": tsJest },
    },
    {
      displayName: "integration",
      testEnvironment: "node",
      roots: ["<rootDir>/test/integration"],
      transform: { "^.+\\.ts$": tsJest },
      testTimeout: 120000,
    },
  ],
};
