// Writes schemas/table-schema.schema.json from the zod schema (never edit that file by hand):
//   node bin/run-ts.mjs runtime/table/schema/write-table-json-schema.ts
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { tableSchemaSchema } from "./table-schema.ts";

export function tableJsonSchema(): string {
  const schema = z.toJSONSchema(tableSchemaSchema, { io: "input", unrepresentable: "any" });
  return `${JSON.stringify({ ...schema, title: "Fuse table schema", description: "A table of a Fuse hub: schemas/<table>.json" }, null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../schemas/table-schema.schema.json");
  writeFileSync(out, tableJsonSchema());
  process.stdout.write(`wrote ${out}\n`);
}
