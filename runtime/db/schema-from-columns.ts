import type { ColumnType, TableSchema } from "../table/index.ts";

/** A row of `pragma_table_info`. */
export interface DeclaredColumn extends Record<string, unknown> {
  name: string;
  type: string;
  pk: number;
}

// SQLite's type-affinity rules (sqlite.org/datatype3.html, "determination of column
// affinity"), with no declared type read as text so that filters take strings.
function typeOf(declared: string): ColumnType {
  const decl = declared.toUpperCase();
  if (decl.includes("INT")) return "integer";
  if (/CHAR|CLOB|TEXT/.test(decl)) return "text";
  if (decl.includes("BLOB")) return "blob";
  if (/REAL|FLOA|DOUB|NUM|DEC/.test(decl)) return "real";
  return "text";
}

/**
 * A table schema read back from a table's declared columns, for a table without a schema
 * file: every column nullable, so that browsing and filtering take what the table holds.
 * Not parsed with the file schema: such tables may use names schema files may not.
 */
export function schemaFromColumns(table: string, columns: DeclaredColumn[]): TableSchema {
  const single = columns.filter((c) => Number(c.pk) > 0).length === 1;
  return {
    table,
    columns: Object.fromEntries(
      columns.map((c) => [c.name, { type: typeOf(String(c.type)), nullable: true, unique: false, primaryKey: single && Number(c.pk) > 0 }]),
    ),
    indexes: [],
    allowDestructive: false,
  };
}
