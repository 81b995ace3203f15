#!/usr/bin/env node
// Makes `require("pulumi-fcp/...")` resolve inside this repository, exactly as it does in a
// user's project where the package sits in node_modules. The dynamic-provider plugin loads each
// resource's serialized provider from the program's directory, and the provider's methods
// `require("pulumi-fcp/dynamic-provider")`; the examples and tests rely on the same lookup.
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const link = path.join(root, "node_modules", "pulumi-fcp");
try {
  const st = fs.lstatSync(link);
  if (st.isSymbolicLink() && path.resolve(path.dirname(link), fs.readlinkSync(link)) === root) process.exit(0);
  fs.rmSync(link, { recursive: true, force: true });
} catch {
  // absent: create below
}
fs.mkdirSync(path.dirname(link), { recursive: true });
fs.symlinkSync("..", link, "dir");
