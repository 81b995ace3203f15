// The Task args that drive the cluster bootstrap are checked at once, before anything exists.
import { validateTaskArgs, type TaskArgs } from "../../../src/resources/task";

const base: TaskArgs = { instanceType: "a100", maxPricePerHour: 3, command: ["python3", "x.py"], uploadCode: false };
const problem = (args: Partial<TaskArgs>): string => {
  try {
    validateTaskArgs("t", { ...base, ...args });
  } catch (err) {
    return (err as Error).message;
  }
  return "";
};

test("secretEnv names follow env's rules and may not repeat an env name", () => {
  expect(problem({ secretEnv: { HF_TOKEN: "x" } })).toBe("");
  expect(problem({ secretEnv: { "1BAD": "x" } })).toMatch(/secretEnv\.1BAD is not a valid variable name/);
  expect(problem({ secretEnv: { FLOW_X: "x" } })).toMatch(/secretEnv\.FLOW_X uses the reserved prefix FLOW_/);
  expect(problem({ secretEnv: { FCP_API_KEY: "x" } })).toMatch(/secretEnv\.FCP_API_KEY looks like the FCP API key/);
  expect(problem({ env: { A: "1" }, secretEnv: { A: "2" } })).toMatch(/secretEnv\.A is also in env/);
});

test("the bootstrap needs the instances' addresses: waitFor none is refused for clusters and secretEnv", () => {
  expect(problem({ numInstances: 2, waitFor: "none" })).toMatch(/waitFor cannot be "none"/);
  expect(problem({ secretEnv: { T: "x" }, waitFor: "none" })).toMatch(/waitFor cannot be "none"/);
  expect(problem({ numInstances: 2, waitFor: "none", clusterBootstrap: false })).toBe("");
  expect(problem({ waitFor: "none" })).toBe("");
});

test("bootstrapTimeoutSeconds is whole seconds from 1 to a day", () => {
  expect(problem({ bootstrapTimeoutSeconds: 0 })).toMatch(/bootstrapTimeoutSeconds must be a whole number of seconds from 1 to 86400, got 0/);
  expect(problem({ bootstrapTimeoutSeconds: 1.5 })).toMatch(/got 1\.5/);
  expect(problem({ bootstrapTimeoutSeconds: 60 })).toBe("");
});

test("secret values never appear in the error", () => {
  expect(problem({ secretEnv: { "bad name": "hf_verysecretvalue123" } })).not.toContain("hf_verysecretvalue123");
});

test("with sshKeys, a bootstrapped Task needs the private key of one of them", () => {
  expect(problem({ numInstances: 2, sshKeys: ["sshkey_a"] })).toMatch(/privateKey is needed with sshKeys/);
  expect(problem({ numInstances: 2, sshKeys: ["sshkey_a"], privateKey: "-----BEGIN OPENSSH PRIVATE KEY-----" })).toBe("");
  expect(problem({ sshKeys: ["sshkey_a"] })).toBe("");
});
