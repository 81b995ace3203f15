// @ts-check
const eslint = require("@eslint/js");
const tseslint = require("typescript-eslint");
const importPlugin = require("eslint-plugin-import");

// The import directions of ARCHITECTURE.md: each room may import only the rooms listed here.
const ROOMS = ["fcp-api", "util", "fcp-client", "ssh", "startup", "cluster", "provider", "resources", "emulator", "testing", "sdk", "cli", "frontends"];
const MAY_IMPORT = {
  "fcp-api": [],
  util: [],
  "fcp-client": ["fcp-api", "util"],
  ssh: ["fcp-api", "util"],
  startup: ["fcp-api", "util"],
  // Delivering cluster.env, code and secret env to a node over SSH: shared by provider and sdk.
  cluster: ["fcp-api", "startup", "ssh", "util"],
  provider: ["fcp-client", "fcp-api", "startup", "ssh", "cluster", "util"],
  // resources -> provider is for types only (the plugin code is reached through provider-shim.ts);
  // the rule below the zones enforces that half.
  resources: ["provider", "fcp-client", "fcp-api", "startup", "ssh", "util"],
  // Never fcp-client: the emulator must not share the client's parsing.
  emulator: ["fcp-api", "ssh", "startup", "util"],
  // LocalEngine drives our code through the plugins, not by import.
  testing: ["util"],
  frontends: ["resources", "startup", "fcp-api", "util"],
  sdk: ["resources", "fcp-client", "fcp-api", "startup", "ssh", "cluster", "util", "frontends"],
  // It starts fcp-emulator as a process, never imports it.
  cli: ["sdk", "frontends", "resources", "fcp-client", "fcp-api", "startup", "ssh", "util"],
};
const zones = ROOMS.map((room) => ({
  target: `./src/${room}`,
  from: ROOMS.filter((other) => other !== room && !MAY_IMPORT[room].includes(other)).map((other) => `./src/${other}`),
  message: `src/${room} may import only ${MAY_IMPORT[room].map((r) => `src/${r}`).join(", ") || "nothing else of ours"} (ARCHITECTURE.md, "Import directions").`,
}))
  .concat([
    {
      // The whole package must not depend on its tests, benches or scripts.
      target: "./src",
      from: ["./test", "./bench", "./scripts", "./examples"],
      message: "src/ must not import tests, benches, scripts or examples.",
    },
  ])
  .filter((z) => z.from.length > 0);

module.exports = tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "**/node_modules/**", "coverage/**", "**/*.js"] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-require-imports": "off",
    },
  },
  {
    files: ["src/**/*.ts"],
    plugins: { import: importPlugin },
    settings: { "import/resolver": { node: { extensions: [".ts", ".js", ".json"] } } },
    rules: { "import/no-restricted-paths": ["error", { zones }] },
  },
  {
    files: ["src/resources/**/*.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["../provider/*", "../../provider/*"],
              allowTypeImports: true,
              message: "Constructs import the plugin side for types only; its code is loaded through provider-shim.ts.",
            },
          ],
        },
      ],
    },
  },
);
