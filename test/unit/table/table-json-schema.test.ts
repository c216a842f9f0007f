import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadTableSchemas } from "../../../runtime/table/index.ts";
import { tableJsonSchema } from "../../../runtime/table/schema/write-table-json-schema.ts";
import { REPO } from "../../helpers/index.ts";

describe("the JSON Schema of table schema files", () => {
  it("keeps schemas/table-schema.schema.json generated from the zod schema", () => {
    // If this fails: node bin/run-ts.mjs runtime/table/schema/write-table-json-schema.ts
    expect(readFileSync(path.join(REPO, "schemas/table-schema.schema.json"), "utf8")).toBe(tableJsonSchema());
  });

  it("loads every table schema of the demo hub", () => {
    const { tables, invalid } = loadTableSchemas(REPO);
    expect(invalid.map((i) => i.error.message)).toEqual([]);
    expect([...tables.keys()]).toContain("notes");
  });
});
