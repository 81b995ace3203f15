// YAML task files: the seed's snake_case format, errors with line and column and "did you mean".
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { ValidationError } from "../../../src/fcp-api/errors";
import { loadTaskFile, parseTaskFileText, type TaskFileFieldError } from "../../../src/resources/task-file";
import { taskStatusOf } from "../../../src/sdk/task-status";

function errorsOf(text: string): { error: ValidationError; fields: TaskFileFieldError[] } {
  try {
    parseTaskFileText(text, "task.yaml");
  } catch (e) {
    if (e instanceof ValidationError) return { error: e, fields: e.fieldErrors as TaskFileFieldError[] };
    throw e;
  }
  throw new Error("expected a ValidationError");
}

test("the seed's format parses; codeDir is relative to the file", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "task-file-"));
  const file = path.join(dir, "train.yaml");
  writeFileSync(file, `name: gpu-training
instance_type: 8xh100
num_instances: 2
max_price_per_hour: 25
command: ["torchrun", "--nproc_per_node=8", "train.py"]
env:
  EPOCHS: 10
volumes:
  - size_gb: 500
    mount_path: /data
    interface: file
code_dir: src
`);
  const { config } = loadTaskFile(file);
  expect(config).toMatchObject({
    name: "gpu-training", instanceType: "8xh100", numInstances: 2, maxPricePerHour: "$25.00",
    entrypoint: { kind: "argv", argv: ["torchrun", "--nproc_per_node=8", "train.py"] },
    env: { EPOCHS: "10" }, volumes: [{ sizeGb: 500, mountPath: "/data", interface: "file" }], codeDir: path.join(dir, "src"),
  });
});

test("unknown keys are reported at their line and column with did-you-mean", () => {
  const { error, fields } = errorsOf(`name: t
instance_type: a100
max_price_per_hour: 10
command: python x.py
environment:
  A: b
volumes:
  - size_gb: 10
    mount_pth: /data
`);
  expect(fields).toEqual(expect.arrayContaining([
    expect.objectContaining({ field: "environment", line: 5, column: 1 }),
    expect.objectContaining({ field: "volumes[0].mount_pth", line: 9, column: 5 }),
  ]));
  expect(error.message).toMatch(/task\.yaml:5:1: environment: /);
  expect(error.suggestions.join("\n")).toMatch(/env/);
  expect(error.message).toMatch(/mount_path/);
});

test("bad values point at their field; YAML syntax errors at the broken spot", () => {
  const { fields } = errorsOf(`name: t
instance_type: A100
max_price_per_hour: 10
command: python x.py
`);
  expect(fields[0]).toMatchObject({ field: "instance_type", line: 2, column: 1 });
  const syntax = errorsOf(`name: t\ncommand: [python, x.py\nmax_price_per_hour: 3\n`);
  expect(syntax.error.message).toMatch(/task\.yaml:\d+:\d+: /);
  expect(syntax.fields[0].line).toBeGreaterThanOrEqual(2);
  expect(errorsOf("- a\n- b\n").error.message).toMatch(/must be a mapping/);
});

test("TaskStatus from the bid and the nodes' status.json", () => {
  const node = (status: "running" | "succeeded" | "failed") => ({ task: "t", status, step: "run" as const, exit_code: status === "running" ? null : status === "failed" ? 1 : 0 });
  expect(taskStatusOf("pending", [])).toBe("pending");
  expect(taskStatusOf("allocated", [undefined])).toBe("pending");
  expect(taskStatusOf("allocated", [node("running"), undefined])).toBe("running");
  expect(taskStatusOf("running", [node("succeeded"), node("running")])).toBe("running");
  expect(taskStatusOf("running", [node("succeeded"), node("succeeded")])).toBe("completed");
  expect(taskStatusOf("running", [node("succeeded"), node("failed")])).toBe("failed");
  expect(taskStatusOf("cancelled", [node("running")])).toBe("cancelled");
  expect(taskStatusOf("terminated", [node("failed")])).toBe("failed");
});
