import { mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { StateFileError } from "../../../src/testing";
import type { ResourceState } from "../../../src/testing/resource-state";
import { readStateFile, writeStateFile } from "../../../src/testing/state-file";

const resource: ResourceState = {
  urn: "urn:pulumi:dev::p::pulumi-nodejs:dynamic:Resource::r",
  type: "pulumi-nodejs:dynamic:Resource",
  name: "r",
  custom: true,
  id: "r-1",
  inputs: { a: 1 },
  outputs: { a: 1, b: [true, null] },
  dependencies: [],
  propertyDependencies: {},
  protect: false,
  retainOnDelete: false,
  deleteBeforeReplace: false,
  ignoreChanges: [],
  additionalSecretOutputs: [],
  replaceOnChanges: [],
};

describe("state file", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "state-file-"));

  test("an absent file is an empty stack", async () => {
    await expect(readStateFile(path.join(dir, "none.json"))).resolves.toBeUndefined();
  });

  test("round-trips, private to the user, leaving no temporary file behind", async () => {
    const file = path.join(dir, "nested", "state.json");
    await writeStateFile(file, { project: "p", stack: "dev", resources: [resource] });
    await expect(readStateFile(file)).resolves.toEqual({ project: "p", stack: "dev", secrets: undefined, resources: [resource] });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(path.dirname(file))).toEqual(["state.json"]);
  });

  test.each([
    ["not JSON", "{", /is not valid JSON .*restore it or delete it/],
    ["another format", JSON.stringify({ version: 2 }), /is not a LocalEngine state file \(version 1\): version/],
    ["a broken resource", JSON.stringify({ version: 1, project: "p", stack: "s", resources: [{ urn: "" }] }), /resources\.0\.urn/],
  ])("names the file and the problem when it is %s", async (_name, text, message) => {
    const file = path.join(dir, `bad-${_name.replace(/\W/g, "")}.json`);
    writeFileSync(file, text);
    await expect(readStateFile(file)).rejects.toThrow(StateFileError);
    await expect(readStateFile(file)).rejects.toThrow(message);
  });
});
