// `npm run schema`: writes schema/flow-task.schema.json (a unit test checks it is current).
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { renderTaskJsonSchema, SCHEMA_FILE } from "./task-schema";

mkdirSync(path.dirname(SCHEMA_FILE), { recursive: true });
writeFileSync(SCHEMA_FILE, renderTaskJsonSchema());
process.stdout.write(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}\n`);
