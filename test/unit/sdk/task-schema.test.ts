// The committed JSON Schema of task files is what `npm run schema` generates now, and it accepts
// the seed's files and rejects the mistakes editors should flag.
import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020";
import { parse } from "yaml";
import { renderTaskJsonSchema, SCHEMA_FILE } from "../../../scripts/schema/task-schema";

test("schema/flow-task.schema.json is current (run `npm run schema` after changing the TaskConfig shape)", () => {
  expect(readFileSync(SCHEMA_FILE, "utf8")).toBe(renderTaskJsonSchema());
});

test("the schema accepts seed-format task files and flags unknown keys, wrong types and missing prices", () => {
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(SCHEMA_FILE, "utf8")));
  const good = parse(`name: gpu-training
instance_type: 8xh100
num_instances: 2
max_price_per_hour: "$25.00"
command: [torchrun, train.py]
env: {EPOCHS: 10}
volumes: [{size_gb: 500, mount_path: /data, interface: file}]
`);
  expect(validate(good)).toBe(true);
  expect(validate({ name: "t", max_price_per_hour: 1, shell: "x", environment: {} })).toBe(false);
  expect(validate.errors?.[0]).toMatchObject({ keyword: "additionalProperties", params: { additionalProperty: "environment" } });
  expect(validate({ name: "t", shell: "x" })).toBe(false);
  expect(validate({ name: "t", max_price_per_hour: 1, num_instances: "two", shell: "x" })).toBe(false);
  expect(validate({ name: "bad name", max_price_per_hour: 1, shell: "x" })).toBe(false);
});
