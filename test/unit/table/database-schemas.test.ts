import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Database } from "../../../runtime/table/index.ts";

describe("ctx.db's tables come from schemas/", () => {
  let dir: string;
  let db: Database;
  const failure = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      return `${(error as Error & { code: string }).code} ${(error as Error).message}`;
    }
    throw new Error("expected an error");
  };

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "fuse-db-schemas-"));
    mkdirSync(path.join(dir, "schemas"));
    writeFileSync(path.join(dir, "schemas/broken.json"), '{\n  "table": "broken",\n  "columns": { "id": { "type": "integer", "primary": true } }\n}\n');
    db = new Database({ url: `file:${path.join(dir, "db.sqlite")}`, hubDir: dir });
  });
  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("says why a table's schema file was refused", () => {
    expect(failure(() => db.table("broken"))).toMatchInlineSnapshot(`"TABLE_SCHEMA_INVALID schemas/broken.json:3 columns.id.primary: unknown key"`);
  });

  it("names the file it expected for a table without one", () => {
    expect(failure(() => db.table("missing"))).toMatchInlineSnapshot(`"NOT_FOUND no schema for table "missing" (expected schemas/missing.json)"`);
  });
});
