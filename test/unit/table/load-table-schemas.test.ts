import { describe, expect, it } from "vitest";
import { parseTableSchema } from "../../../runtime/table/index.ts";

const message = (text: string) => {
  try {
    parseTableSchema(text, "schemas/notes.json");
  } catch (error) {
    return (error as Error & { code: string }).code + " " + (error as Error).message;
  }
  throw new Error("expected an error");
};

describe("table schema files", () => {
  it("names file, line and field of a bad column type", () => {
    expect(message('{\n  "table": "notes",\n  "columns": {\n    "id": { "type": "int" }\n  }\n}')).toMatchInlineSnapshot(
      `"TABLE_SCHEMA_INVALID schemas/notes.json:4 columns.id.type: expected one of "text"|"integer"|"real"|"boolean"|"json"|"timestamp"|"blob""`,
    );
  });
  it("names an unknown key", () => {
    expect(message('{ "table": "notes", "columns": { "id": { "type": "integer", "nullabel": true } } }')).toMatchInlineSnapshot(`"TABLE_SCHEMA_INVALID schemas/notes.json:1 columns.id.nullabel: unknown key"`);
  });
  it("names an index on an unknown column", () => {
    expect(message('{ "table": "notes", "columns": { "id": { "type": "integer" } },\n "indexes": [{ "columns": ["nope"] }] }')).toMatchInlineSnapshot(`"TABLE_SCHEMA_INVALID schemas/notes.json:2 indexes[0].columns[0]: unknown column "nope""`);
  });
  it("names file, line and field of a version column that is not an integer, or a second one", () => {
    expect(message('{ "table": "notes", "columns": {\n "id": { "type": "integer" },\n "rev": { "type": "text", "version": true } } }')).toMatchInlineSnapshot(`"TABLE_SCHEMA_INVALID schemas/notes.json:3 columns.rev.version: a version column must be of type "integer", not "text""`);
    expect(message('{ "table": "notes", "columns": {\n "a": { "type": "integer", "version": true },\n "b": { "type": "integer", "version": true } } }')).toMatchInlineSnapshot(`"TABLE_SCHEMA_INVALID schemas/notes.json:3 columns.b.version: only one column may be the version (a already is)"`);
    expect(message('{ "table": "notes", "columns": {\n "v": { "type": "integer", "version": true, "nullable": true } } }')).toMatchInlineSnapshot(`"TABLE_SCHEMA_INVALID schemas/notes.json:2 columns.v.version: a version column cannot be the primary key, nullable or unique"`);
    expect(message('{ "table": "notes", "columns": {\n "v": { "type": "integer", "version": true, "default": 0 } } }')).toMatchInlineSnapshot(`"TABLE_SCHEMA_INVALID schemas/notes.json:2 columns.v.version: a version column starts at 1 by itself; remove its default"`);
  });
  it("says when the file is not JSON", () => {
    expect(message("{ nope")).toMatch(/^TABLE_SCHEMA_INVALID schemas\/notes.json: not valid JSON/);
  });
});
