import { spawnSync } from "node:child_process";
import { buildStartupScript } from "../../../src/startup/build-startup-script";
import { parseTaskConfig } from "../../../src/resources/task-config";
import { taskStartupSpec } from "../../../src/resources/task-startup-spec";
import { validateTaskArgs } from "../../../src/resources/task";

const base = { name: "t", instanceType: "a100", maxPricePerHour: 3, uploadCode: false };

describe("taskStartupSpec", () => {
  it("passes an argv command as is and a shell line as one string", () => {
    expect(taskStartupSpec(parseTaskConfig({ ...base, command: ["python", "train.py"] }), {}, []).run.command).toEqual(["python", "train.py"]);
    expect(taskStartupSpec(parseTaskConfig({ ...base, shell: "cd x && make" }), {}, []).run.command).toBe("cd x && make");
  });

  it("runs a script without shebang with python3 -c, one argument", () => {
    const spec = taskStartupSpec(parseTaskConfig({ ...base, script: "import sys\nprint('it\\'s', sys.argv)\n" }), {}, []);
    expect(spec.run.command).toEqual(["python3", "-c", "import sys\nprint('it\\'s', sys.argv)\n"]);
  });

  it("writes a script for an interpreter without -c to a file, quoting survives bash", () => {
    const content = "#!/usr/bin/env perl\nprint \"it's $0\\n\";\n";
    const config = parseTaskConfig({ ...base, script: content });
    if (config.entrypoint.kind !== "script") throw new Error("expected a script entrypoint");
    expect(config.entrypoint.interpreter).toEqual(["/usr/bin/env", "perl"]);
    const spec = taskStartupSpec(config, {}, []);
    expect(spec.run.command).toMatch(/exec '\/usr\/bin\/env' 'perl' \/tmp\/flow-task-script$/);
    // Run the generated line with bash, replacing the interpreter by cat: the file holds the script.
    const line = (spec.run.command as string).replace(/exec .* \/tmp\/flow-task-script$/, "cat /tmp/flow-task-script");
    const out = spawnSync("bash", ["-c", line], { encoding: "utf8" });
    expect(out.stdout).toBe(config.entrypoint.content);
    expect(out.stdout).toContain("print \"it's $0\\n\";");
  });

  it("adds the cluster wait only for several instances, and maps volumes in order", () => {
    const one = taskStartupSpec(parseTaskConfig({ ...base, command: ["x"] }), {}, []);
    expect(one.cluster).toBeUndefined();
    const config = parseTaskConfig({ ...base, numInstances: 3, command: ["x"], volumes: [{ sizeGb: 10, mountPath: "/data", interface: "file" }] });
    const spec = taskStartupSpec(config, { A: "1" }, [{ volumeId: "vol_1", mountPath: "/data", interface: "file" }]);
    expect(spec.cluster).toEqual({ numNodes: 3 });
    expect(spec.volumes).toEqual([{ interface: "file", volumeId: "vol_1", mountPath: "/data" }]);
    expect(spec.env).toEqual({ A: "1" });
  });

  it("builds a script that passes bash -n", () => {
    const { script } = buildStartupScript(taskStartupSpec(parseTaskConfig({ ...base, script: "print(1)" }), {}, []));
    expect(spawnSync("bash", ["-n"], { input: script }).status).toBe(0);
  });
});

describe("validateTaskArgs", () => {
  it("uses the resource name when the args give none", () => {
    expect(validateTaskArgs("from-pulumi", { instanceType: "a100", maxPricePerHour: 3, command: ["x"] }).name).toBe("from-pulumi");
  });

  it("requires maxPricePerHour: pulumi-fcp never picks a price", () => {
    // @ts-expect-error maxPricePerHour is required in the type too
    expect(() => validateTaskArgs("t", { instanceType: "a100", command: ["x"] })).toThrow(/maxPricePerHour: is required/);
  });

  it("reports a missing maxPricePerHour together with the other problems", () => {
    // @ts-expect-error maxPricePerHour is required in the type too
    expect(() => validateTaskArgs("t", { instanceType: "A100", command: ["x"] })).toThrow(/2 problems:[\s\S]*instanceType[\s\S]*maxPricePerHour: is required/);
  });

  it("validates env names even when values are Outputs", () => {
    const output = { apply: () => undefined } as never;
    expect(() => validateTaskArgs("t", { ...base, command: ["x"], env: { "BAD-NAME": output } })).toThrow(/BAD-NAME/);
  });
});
