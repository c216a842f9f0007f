import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { SchemaError, formatPath } from "../../errors/index.ts";
import { ErrorCode } from "../../protocol/index.ts";
import { tableSchemaSchema, type TableSchema } from "./table-schema.ts";

export const SCHEMAS_DIR = "schemas";
const SELF = "table-schema.schema.json";

export interface LoadedSchemas {
  tables: Map<string, TableSchema & { file: string }>;
  invalid: { file: string; error: SchemaError }[];
}

// Only an invalid schema needs the yaml parser: an actor using ctx.db does not load it.
const requireLazily = createRequire(import.meta.url);

function lineOf(text: string, keyPath: readonly PropertyKey[]): number | undefined {
  // JSON is YAML: the yaml parser gives each node's source range, so errors can name a line.
  const { LineCounter, parseDocument } = requireLazily("yaml") as typeof import("yaml");
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter });
  for (let depth = keyPath.length; depth >= 0; depth--) {
    const node = doc.getIn(keyPath.slice(0, depth).map((p) => (typeof p === "number" ? p : String(p))), true) as { range?: number[] } | undefined;
    if (node?.range) return counter.linePos(node.range[0]!).line;
  }
  return undefined;
}

/** Parses one table schema file; errors name the file, line and field. */
export function parseTableSchema(text: string, file: string): TableSchema {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new SchemaError(ErrorCode.TABLE_SCHEMA_INVALID, `${file}: not valid JSON (${(error as Error).message})`, { details: { file } });
  }
  const result = tableSchemaSchema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const keyPath = issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0]!] : issue.path;
  const field = formatPath(keyPath) || "(top level)";
  const line = lineOf(text, keyPath);
  const message = issue.code === "unrecognized_keys" ? "unknown key" : issue.message.replace(/^Invalid (input|option): /, "");
  throw new SchemaError(ErrorCode.TABLE_SCHEMA_INVALID, `${file}${line ? `:${line}` : ""} ${field}: ${message}`, { details: { file, line, field } });
}

/** Reads every `schemas/*.json` of a hub folder; a bad file is reported, the others still load. */
export function loadTableSchemas(hubDir: string): LoadedSchemas {
  const dir = path.join(hubDir, SCHEMAS_DIR);
  const out: LoadedSchemas = { tables: new Map(), invalid: [] };
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).filter((f) => f.endsWith(".json") && f !== SELF).sort()) {
    const file = path.join(SCHEMAS_DIR, name);
    try {
      const table = parseTableSchema(readFileSync(path.join(dir, name), "utf8"), file);
      const existing = out.tables.get(table.table);
      if (existing) throw new SchemaError(ErrorCode.TABLE_SCHEMA_INVALID, `${file} table: "${table.table}" is already defined in ${existing.file}`, { details: { file, field: "table" } });
      out.tables.set(table.table, { ...table, file });
    } catch (error) {
      out.invalid.push({ file, error: error as SchemaError });
    }
  }
  return out;
}
